namespace JobUtil.Sample;

/// <summary>One order, as the source holds it and the destination copies it.</summary>
public sealed record Order(long Id, string Customer, string Product, int Quantity, DateTimeOffset UpdatedAt);
