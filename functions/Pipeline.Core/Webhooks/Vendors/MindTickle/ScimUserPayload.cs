using System.Globalization;
using System.Text.Json;
using static Pipeline.Core.Webhooks.PayloadFields;

namespace Pipeline.Core.Webhooks.Vendors.MindTickle;

/// <summary>
/// The SCIM 2.0 User (RFC 7643) in MindTickle's <c>user.*</c> events: <c>userName</c> of at most 254
/// characters, names, valid email addresses, <c>active</c>, and the enterprise extension.
/// </summary>
internal static class ScimUserPayload
{
    private const int MaxUserNameLength = 254;

    /// <summary>
    /// Checks <c>data.user</c>; <paramref name="requireName"/> for creation and update (a deactivation
    /// may carry the user name alone). Returns the path of the first invalid field, or null.
    /// </summary>
    public static string? Validate(JsonElement payload, bool requireName)
    {
        if (Data(payload, out var data) is { } invalidData)
        {
            return invalidData;
        }

        if (!data.TryGetProperty("user", out var user) || user.ValueKind != JsonValueKind.Object)
        {
            return "data.user";
        }

        if (Text(user, "userName", "data.user.userName", required: true, MaxUserNameLength) is { } invalidUserName)
        {
            return invalidUserName;
        }

        if (user.TryGetProperty("name", out var name))
        {
            if (name.ValueKind != JsonValueKind.Object)
            {
                return "data.user.name";
            }

            var invalidName = Text(name, "givenName", "data.user.name.givenName", requireName, MaxShortText)
                ?? Text(name, "familyName", "data.user.name.familyName", requireName, MaxShortText)
                ?? Text(name, "middleName", "data.user.name.middleName", required: false, MaxShortText)
                ?? Text(name, "formatted", "data.user.name.formatted", required: false, MaxShortText);
            if (invalidName is not null)
            {
                return invalidName;
            }
        }
        else if (requireName)
        {
            return "data.user.name";
        }

        if (user.TryGetProperty("emails", out var emails))
        {
            if (emails.ValueKind != JsonValueKind.Array)
            {
                return "data.user.emails";
            }

            var index = 0;
            foreach (var email in emails.EnumerateArray())
            {
                // The path is written only for a failure: a valid event allocates none.
                var position = index++;
                string Path() => string.Create(CultureInfo.InvariantCulture, $"data.user.emails[{position}]");
                if (email.ValueKind != JsonValueKind.Object)
                {
                    return Path();
                }

                if (!email.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.String || !IsEmail(value))
                {
                    return Path() + ".value";
                }

                if (email.TryGetProperty("primary", out var primary) && primary.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return Path() + ".primary";
                }

                if (Text(email, "type", "type", required: false, MaxShortText) is not null)
                {
                    return Path() + ".type";
                }
            }
        }

        if (user.TryGetProperty("active", out var active) && active.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return "data.user.active";
        }

        var invalid = Text(user, "title", "data.user.title", required: false, MaxShortText)
            ?? Text(user, "externalId", "data.user.externalId", required: false, MaxShortText);
        if (invalid is not null)
        {
            return invalid;
        }

        if (user.TryGetProperty(MindTickleEvents.EnterpriseUser, out var enterprise))
        {
            const string prefix = "data.user." + MindTickleEvents.EnterpriseUser;
            if (enterprise.ValueKind != JsonValueKind.Object)
            {
                return prefix;
            }

            if (Text(enterprise, "employeeNumber", prefix + ".employeeNumber", required: false, MaxShortText) is { } invalidNumber)
            {
                return invalidNumber;
            }

            if (enterprise.TryGetProperty("manager", out var manager))
            {
                if (manager.ValueKind != JsonValueKind.Object)
                {
                    return prefix + ".manager";
                }

                return Text(manager, "value", prefix + ".manager.value", required: false, MaxShortText)
                    ?? Text(manager, "displayName", prefix + ".manager.displayName", required: false, MaxShortText);
            }
        }

        return null;
    }

    /// <summary>The address decoded on the stack (a string only for one too long to be valid anyway).</summary>
    private static bool IsEmail(JsonElement value)
    {
        Span<char> buffer = stackalloc char[StackChars];
        return TryCopyString(value, buffer, out var length) ? EmailAddresses.IsValid(buffer[..length]) : EmailAddresses.IsValid(value.GetString());
    }
}
