using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace JobUtil.Sample;

/// <summary>The destination: a SQLite copy of the orders, upserted by id. It refuses an order whose quantity is not positive.</summary>
public sealed class OrdersDestination(IOptions<SampleOptions> options, IOptions<JobOptions> jobOptions, TimeProvider time)
{
    public string Path { get; } = System.IO.Path.Combine(options.Value.ResolveDataDirectory(), jobOptions.Value.Destination ?? "orders_destination.db");

    /// <summary>Inserts new orders and updates changed ones in one transaction: a refused order leaves the destination as it was.</summary>
    public async Task<int> UpsertAsync(IReadOnlyList<Order> orders, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO orders (id, customer, product, quantity, updated_at, loaded_at)
            VALUES ($id, $customer, $product, $quantity, $updated_at, $loaded)
            ON CONFLICT (id) DO UPDATE SET
                customer = excluded.customer, product = excluded.product, quantity = excluded.quantity,
                updated_at = excluded.updated_at, loaded_at = excluded.loaded_at
            """;
        var id = command.Parameters.Add("$id", SqliteType.Integer);
        var customer = command.Parameters.Add("$customer", SqliteType.Text);
        var product = command.Parameters.Add("$product", SqliteType.Text);
        var quantity = command.Parameters.Add("$quantity", SqliteType.Integer);
        var updatedAt = command.Parameters.Add("$updated_at", SqliteType.Text);
        command.Parameters.AddWithValue("$loaded", SqliteTimestamps.ToText(time.GetUtcNow()));
        foreach (var order in orders)
        {
            id.Value = order.Id;
            customer.Value = order.Customer;
            product.Value = order.Product;
            quantity.Value = order.Quantity;
            updatedAt.Value = SqliteTimestamps.ToText(order.UpdatedAt);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return orders.Count;
    }

    /// <summary>How many orders the destination holds.</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM orders";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var connection = new SqliteConnection($"Data Source={Path};Pooling=False");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS orders (
                id INTEGER PRIMARY KEY,
                customer TEXT NOT NULL,
                product TEXT NOT NULL,
                quantity INTEGER NOT NULL CHECK (quantity > 0),
                updated_at TEXT NOT NULL,
                loaded_at TEXT NOT NULL)
            """;
        await command.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }
}
