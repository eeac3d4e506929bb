using System.Reflection;
using Microsoft.Extensions.Logging;
using Pipeline.Host;

namespace Pipeline.Tests.Logging;

/// <summary>One [LoggerMessage] class per project, and an event id names one line only (a query on it finds one kind of line).</summary>
public sealed class LogEventIdTests
{
    private static readonly Assembly[] Projects = [typeof(HandlerApp).Assembly, typeof(Pipeline.Azure.Resilience.TransientFailure).Assembly, typeof(Pipeline.Core.Audit.AuditEntry).Assembly];

    private static IEnumerable<(MethodInfo Method, LoggerMessageAttribute Message)> LogLines(Assembly assembly) =>
        assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(method => (method, method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(line => line.Item2 is not null)
            .Select(line => (line.method, line.Item2!));

    [Fact]
    public void LoggerMessages_EachProject_AreInOneClass()
    {
        foreach (var project in Projects)
        {
            var classes = LogLines(project).Select(line => line.Method.DeclaringType!.FullName).Distinct().ToList();

            Assert.True(classes.Count <= 1, $"{project.GetName().Name} logs from {string.Join(", ", classes)}.");
        }
    }

    [Fact]
    public void LoggerMessages_EachProject_HaveDistinctEventIds()
    {
        foreach (var project in Projects)
        {
            var collisions = LogLines(project).GroupBy(line => line.Message.EventId).Where(group => group.Count() > 1)
                .Select(group => $"{group.Key}: {string.Join(", ", group.Select(line => line.Method.Name))}").ToList();

            Assert.Empty(collisions);
        }
    }
}
