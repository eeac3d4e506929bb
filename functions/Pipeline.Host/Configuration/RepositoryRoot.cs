namespace Pipeline.Host.Configuration;

/// <summary>Finds the repository checkout Local mode runs from (the folder holding Pipeline.sln).</summary>
public static class RepositoryRoot
{
    /// <summary>The first ancestor of the working directory or of this assembly that holds Pipeline.sln.</summary>
    public static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Pipeline.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException("Run from inside the Pipeline repository: no Pipeline.sln found above the current folder.");
    }
}
