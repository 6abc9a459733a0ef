namespace JobUtil.Testing.Internal;

/// <summary>A condition on a row, evaluated with SQL's three-valued logic: a filter, or an <c>and</c>/<c>or</c> tree of them.</summary>
internal interface ICondition
{
    /// <summary>True, false, or <see langword="null"/> for SQL's unknown (a comparison with NULL).</summary>
    bool? Evaluate(FakeJobRow row);
}
