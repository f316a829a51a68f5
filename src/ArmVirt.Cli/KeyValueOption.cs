namespace ArmVirt.Cli;

/// <summary>The QEMU-style <c>key=value,key=value</c> values of <c>--drive</c>, <c>--netdev</c>, <c>--device</c>, ...</summary>
internal static class KeyValueOption
{
    /// <summary>
    /// Splits "a=1,b=2" (the first word may be a bare type like "tap") into pairs; ",," stands for a comma inside a value,
    /// as in QEMU's option syntax. A repeated key is a mistake.
    /// </summary>
    public static List<(string Key, string Value)> Pairs(string option, string text)
    {
        var pairs = new List<(string, string)>();
        foreach (string part in Split(text))
        {
            int eq = part.IndexOf('=');
            string key = eq < 0 ? part : part[..eq], value = eq < 0 ? "" : part[(eq + 1)..];
            if (key.Length == 0) throw new UsageException($"{option} {text}: empty parameter");
            if (pairs.Exists(p => p.Item1 == key)) throw new UsageException($"{option} {text}: '{key}' given twice");
            pairs.Add((key, value));
        }
        return pairs;
    }

    // The parts between single commas, with ",," read as one comma.
    private static IEnumerable<string> Split(string text)
    {
        var part = new System.Text.StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != ',') part.Append(text[i]);
            else if (i + 1 < text.Length && text[i + 1] == ',') part.Append(text[++i]);
            else
            {
                yield return part.ToString();
                part.Clear();
            }
        }
        yield return part.ToString();
    }

    /// <summary>on/off (also true/false, yes/no).</summary>
    public static bool OnOff(string option, string key, string value) => value switch
    {
        "on" or "true" or "yes" => true,
        "off" or "false" or "no" => false,
        _ => throw new UsageException($"{option} {key}={value}: must be on or off"),
    };

    /// <summary>A physical address: hexadecimal with 0x, or decimal.</summary>
    public static ulong Address(string option, string key, string value)
    {
        bool hex = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        if (ulong.TryParse(hex ? value[2..] : value, hex ? System.Globalization.NumberStyles.AllowHexSpecifier : System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out ulong a))
            return a;
        throw new UsageException($"{option} {key}={value}: not an address (0x hexadecimal or decimal)");
    }
}
