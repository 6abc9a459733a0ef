namespace JobUtil.Reporting;

/// <summary>
/// How the health table marks a state besides its text: an icon and a colour (through a CSS class). The states are
/// the fleet's health states; any other text gets a neutral mark.
/// </summary>
internal readonly record struct HealthStyle(string CssClass, string Icon)
{
    public static HealthStyle Of(string? state)
    {
        // "running too long", "Running-Too-Long" and "running_too_long" are the same state.
        var key = (state ?? string.Empty).Trim().ToLowerInvariant().Replace('_', ' ').Replace('-', ' ');
        return key switch
        {
            "healthy" => new("healthy", "\u2714"),                  // ✔
            "late" => new("late", "\u25F7"),                         // ◷
            "failing" => new("failing", "\u2716"),                   // ✖
            "running too long" => new("running-too-long", "\u25B2"), // ▲
            "stale" => new("stale", "\u25CC"),                       // ◌
            "never succeeded" => new("never-succeeded", "\u2205"),   // ∅
            "never ran" => new("never-ran", "\u2298"),               // ⊘
            "" => new("unknown", "?"),
            _ => new("other", "\u2022"),                             // •
        };
    }
}
