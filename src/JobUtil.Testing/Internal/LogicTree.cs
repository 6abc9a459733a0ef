using System.Text;

namespace JobUtil.Testing.Internal;

/// <summary>
/// A logical filter, <c>or=(…)</c>, <c>and=(…)</c>, <c>not.or=(…)</c> or <c>not.and=(…)</c>: filters and nested trees
/// (<c>and(…)</c>, <c>not.or(…)</c>) combined with SQL's three-valued logic, parsed as PostgREST parses them.
/// </summary>
/// <remarks>
/// Inside a tree a filter is <c>column.[not.]op.value</c>. A value ends at the next <c>,</c> or <c>)</c> unless it is
/// double-quoted (<c>"a,b"</c>, with <c>\</c> escaping the next character) or a <c>{…}</c> array literal; an <c>in</c> list
/// is parenthesised: <c>id.in.(1,2)</c>. Spaces around names, commas and parentheses are skipped.
/// </remarks>
internal sealed class LogicTree : ICondition
{
    private readonly bool _negated;
    private readonly bool _and;
    private readonly List<ICondition> _items;

    private LogicTree(bool negated, bool and, List<ICondition> items)
    {
        _negated = negated;
        _and = and;
        _items = items;
    }

    /// <summary>Parses the parameter <paramref name="key"/> (<c>or</c>, <c>and</c>, <c>not.or</c>, <c>not.and</c>) with its <paramref name="value"/>.</summary>
    public static ICondition Parse(string table, IReadOnlyList<Column> columns, string key, string value, TimeZoneInfo zone)
        => new Parser(table, columns, zone, key + value, value).Tree();

    /// <inheritdoc/>
    public bool? Evaluate(FakeJobRow row)
    {
        // AND is false when any item is false, OR true when any is true; otherwise an unknown item makes it unknown.
        bool? result = _and;
        foreach (var item in _items)
        {
            var value = item.Evaluate(row);
            if (value == !_and)
            {
                result = !_and;
                break;
            }

            if (value is null)
            {
                result = null;
            }
        }

        return _negated ? !result : result;
    }

    /// <summary>A recursive-descent parser over one tree's text, following PostgREST's grammar.</summary>
    private sealed class Parser(string table, IReadOnlyList<Column> columns, TimeZoneInfo zone, string text, string parameterValue)
    {
        private int _pos;

        private char? Next => _pos < text.Length ? text[_pos] : null;

        /// <summary>A filter, or else <c>[not.](and|or)(tree, …)</c>. PostgREST ignores what follows a complete tree.</summary>
        public ICondition Tree()
        {
            var start = _pos;
            if (TryFilter() is { } filter)
            {
                return filter;
            }

            _pos = start;
            var negated = Consume("not.");
            bool and;
            if (Consume("and"))
            {
                and = true;
            }
            else if (Consume("or"))
            {
                and = false;
            }
            else
            {
                throw Failure("expecting field name, negation operator (not) or logic operator (and, or)");
            }

            SkipSpaces();
            Expect('(');
            SkipSpaces();
            var items = new List<ICondition> { Tree() };
            SkipSpaces();
            while (Consume(","))
            {
                SkipSpaces();
                items.Add(Tree());
                SkipSpaces();
            }

            Expect(')');
            SkipSpaces();
            return new LogicTree(negated, and, items);
        }

        /// <summary><c>column.[not.]op.value</c>; null (and the position is reset by the caller) when the text is no filter.</summary>
        private Filter? TryFilter()
        {
            SkipSpaces();
            var name = FieldName();
            SkipSpaces();
            if (name.Length == 0 || !Consume("."))
            {
                return null;
            }

            var expression = new StringBuilder();
            if (Consume("not."))
            {
                expression.Append("not.");
            }

            if (Consume("in."))
            {
                SkipSpaces();
                Expect('(');
                expression.Append("in.(").Append(UntilClosingParenthesis()).Append(')');
                Expect(')');
                SkipSpaces();
            }
            else if (Consume("is."))
            {
                expression.Append("is.").Append(Unquoted().ToLowerInvariant());
            }
            else
            {
                var dot = text.IndexOf('.', _pos);
                var stop = text.IndexOfAny([',', ')', '('], _pos);
                if (dot < 0 || (stop >= 0 && stop < dot))
                {
                    return null;
                }

                var op = text[_pos..dot];
                if (op is not ("eq" or "neq" or "gt" or "gte" or "lt" or "lte" or "like" or "ilike"))
                {
                    return null;
                }

                _pos = dot + 1;
                expression.Append(op).Append('.').Append(SingleValue());
            }

            return Filter.Parse(table, columns, name, expression.ToString(), zone);
        }

        /// <summary>A column name: letters, digits, <c>_</c>, <c>$</c>, spaces and <c>-</c> (not <c>-&gt;</c>), trimmed; or a double-quoted name.</summary>
        private string FieldName()
        {
            if (Next == '"')
            {
                return Quoted() ?? string.Empty;
            }

            var start = _pos;
            while (Next is { } c && (char.IsLetterOrDigit(c) || c is '_' or '$' or ' ' || (c == '-' && (_pos + 1 >= text.Length || text[_pos + 1] != '>'))))
            {
                _pos++;
            }

            return text[start.._pos].Trim();
        }

        /// <summary>A double-quoted value followed by <c>,</c>, <c>)</c> or the end; else a <c>{…}</c> literal; else everything up to <c>,</c> or <c>)</c>.</summary>
        private string SingleValue()
        {
            var start = _pos;
            if (Next == '"' && Quoted() is { } quoted && Next is null or ',' or ')')
            {
                return quoted;
            }

            _pos = start;
            if (Next == '{')
            {
                var close = text.IndexOf('}', _pos);
                if (close >= 0 && text.IndexOf('{', _pos + 1, close - _pos - 1) < 0)
                {
                    _pos = close + 1;
                    return text[start.._pos];
                }
            }

            return Unquoted();
        }

        private string Unquoted()
        {
            var start = _pos;
            while (Next is { } c && c is not (',' or ')'))
            {
                _pos++;
            }

            return text[start.._pos];
        }

        /// <summary><c>"…"</c> with <c>\</c> escaping the next character; null when the quote is not closed.</summary>
        private string? Quoted()
        {
            var value = new StringBuilder();
            _pos++;
            while (Next is { } c)
            {
                _pos++;
                if (c == '"')
                {
                    return value.ToString();
                }

                if (c == '\\' && Next is { } escaped)
                {
                    _pos++;
                    value.Append(escaped);
                }
                else
                {
                    value.Append(c);
                }
            }

            return null;
        }

        /// <summary>The raw text of an <c>in</c> list up to its closing parenthesis (quoted items may hold <c>)</c>).</summary>
        private string UntilClosingParenthesis()
        {
            var start = _pos;
            var quoted = false;
            while (Next is { } c && (quoted || c != ')'))
            {
                if (quoted && c == '\\')
                {
                    _pos++;
                }
                else if (c == '"')
                {
                    quoted = !quoted;
                }

                _pos++;
            }

            return text[start.._pos];
        }

        private void SkipSpaces()
        {
            while (Next is ' ' or '\t')
            {
                _pos++;
            }
        }

        private bool Consume(string token)
        {
            if (string.CompareOrdinal(text, _pos, token, 0, token.Length) != 0)
            {
                return false;
            }

            _pos += token.Length;
            return true;
        }

        private void Expect(char c)
        {
            if (Next != c)
            {
                throw Failure($"expecting \"{c}\"");
            }

            _pos++;
        }

        private PgError Failure(string expecting)
        {
            var found = Next is { } c ? $"unexpected \"{c}\"" : "unexpected end of input";
            return PgError.ParseFailure("logic tree", parameterValue, $"{found} {expecting}");
        }
    }
}
