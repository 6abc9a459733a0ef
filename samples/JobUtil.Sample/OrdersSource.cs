using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JobUtil.Sample;

/// <summary>
/// The source system: a SQLite database of orders, each with an <c>updated_at</c> timestamp set by the source itself when
/// the order changes. Created with demo data when missing.
/// </summary>
public sealed partial class OrdersSource(IOptions<SampleOptions> options, IOptions<JobOptions> jobOptions, TimeProvider time, ILogger<OrdersSource> logger)
{
    private static readonly string[] Customers = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka"];
    private static readonly string[] Products = ["bolts", "nuts", "gears", "springs", "valves", "pipes"];

    public string Path { get; } = System.IO.Path.Combine(options.Value.ResolveDataDirectory(), jobOptions.Value.Source ?? "orders_source.db");

    /// <summary>Creates the database with <see cref="SampleOptions.DemoOrders"/> orders, modified over the last 30 days, unless it exists.</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        if (File.Exists(Path))
        {
            return;
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, """
            CREATE TABLE orders (
                id INTEGER PRIMARY KEY,
                customer TEXT NOT NULL,
                product TEXT NOT NULL,
                quantity INTEGER NOT NULL,
                updated_at TEXT NOT NULL);
            CREATE INDEX orders_updated_at ON orders (updated_at);
            """, cancellationToken);

        var random = new Random(42);
        var now = time.GetUtcNow();
        var count = options.Value.DemoOrders;
        for (var id = 1; id <= count; id++)
        {
            var updatedAt = now.AddDays(-30).AddSeconds(random.NextDouble() * TimeSpan.FromDays(29).TotalSeconds);
            await InsertAsync(connection, transaction, new Order(id, Customers[random.Next(Customers.Length)], Products[random.Next(Products.Length)], random.Next(1, 50), updatedAt), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        LogCreated(logger, Path, count);
    }

    /// <summary>
    /// The orders updated at or after <paramref name="from"/> (every order when null), oldest change first: at-least-once,
    /// so orders updated in the same microsecond as the last one read before are read again rather than missed.
    /// </summary>
    public async Task<IReadOnlyList<Order>> ReadUpdatedSinceAsync(DateTimeOffset? from, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, customer, product, quantity, updated_at FROM orders WHERE updated_at >= $from ORDER BY updated_at, id";
        command.Parameters.AddWithValue("$from", from is { } value ? SqliteTimestamps.ToText(value) : string.Empty);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var orders = new List<Order>();
        while (await reader.ReadAsync(cancellationToken))
        {
            orders.Add(new Order(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), SqliteTimestamps.FromText(reader.GetString(4))));
        }

        return orders;
    }

    /// <summary>What the business does between two runs: some orders change quantity, some are new.</summary>
    public async Task<int> SimulateActivityAsync(int changed, int added, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var now = SqliteTimestamps.ToText(time.GetUtcNow());
        await ExecuteAsync(connection, transaction, $"UPDATE orders SET quantity = quantity + 1, updated_at = '{now}' WHERE id IN (SELECT id FROM orders ORDER BY id LIMIT {changed} OFFSET 100)", cancellationToken);

        var random = new Random(7);
        for (var i = 0; i < added; i++)
        {
            await InsertAsync(connection, transaction, new Order(0, Customers[random.Next(Customers.Length)], Products[random.Next(Products.Length)], random.Next(1, 50), time.GetUtcNow()), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return changed + added;
    }

    /// <summary>Inserts one order as given (the demo uses it to bring in an order the destination will refuse).</summary>
    public async Task<long> AddAsync(Order order, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await InsertAsync(connection, null, order, cancellationToken);
    }

    /// <summary>Sets an order's quantity and marks it updated now.</summary>
    public async Task SetQuantityAsync(long id, int quantity, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE orders SET quantity = $quantity, updated_at = $updated_at WHERE id = $id";
        command.Parameters.AddWithValue("$quantity", quantity);
        command.Parameters.AddWithValue("$updated_at", SqliteTimestamps.ToText(time.GetUtcNow()));
        command.Parameters.AddWithValue("$id", id);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection($"Data Source={Path};Pooling=False");
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private static async Task<long> InsertAsync(SqliteConnection connection, SqliteTransaction? transaction, Order order, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = order.Id == 0
            ? "INSERT INTO orders (customer, product, quantity, updated_at) VALUES ($customer, $product, $quantity, $updated_at) RETURNING id"
            : "INSERT INTO orders (id, customer, product, quantity, updated_at) VALUES ($id, $customer, $product, $quantity, $updated_at) RETURNING id";
        command.Parameters.AddWithValue("$id", order.Id);
        command.Parameters.AddWithValue("$customer", order.Customer);
        command.Parameters.AddWithValue("$product", order.Product);
        command.Parameters.AddWithValue("$quantity", order.Quantity);
        command.Parameters.AddWithValue("$updated_at", SqliteTimestamps.ToText(order.UpdatedAt));
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the source database {Path} with {Count} demo orders")]
    private static partial void LogCreated(ILogger logger, string path, int count);
}
