package dev.sfu.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's state in Redis: node records ({@code PREFIX node:ID}, each with its own expiry, as Redis 7.0
 * has no per-field expiry) and conference leases ({@code PREFIX lease:NAME} = owner id). A lease is taken
 * with {@code SET NX PX}; renewing and releasing compare the owner first, atomically, in Lua, so a node
 * can never extend or delete a lease another node took meanwhile.
 *
 * <p>Every call is synchronous with a short timeout and throws {@link io.lettuce.core.RedisException} when
 * Redis cannot answer: a disconnected client rejects commands at once instead of queueing them, so an
 * outage costs a join an error, not a wait.
 */
public final class RedisStore implements AutoCloseable {
    /** Extends the lease if the caller holds it; takes it again if it vanished (Redis restarted empty). */
    private static final String EXTEND = """
            local v = redis.call('GET', KEYS[1])
            if v == ARGV[1] then
              redis.call('PEXPIRE', KEYS[1], ARGV[2])
              return 1
            elseif not v then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              return 2
            end
            return 0""";
    /** Deletes the lease only if the caller holds it. */
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0""";
    /** Moves a lease from a node known to be gone to another, if the gone node still holds it. */
    private static final String TAKE_OVER = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
              return 1
            end
            return 0""";

    /** What renewing a lease found. */
    public enum Renewal {
        EXTENDED, RETAKEN, LOST
    }

    private final RedisClient client;
    private final String prefix;
    private volatile StatefulRedisConnection<String, String> connection;

    public RedisStore(String url, String prefix, Duration timeout) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(timeout);
        this.client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .build());
        this.prefix = prefix;
    }

    /** The connection, opened on first use; Lettuce reconnects it by itself after that. */
    private RedisCommands<String, String> redis() {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null) {
            synchronized (this) {
                c = connection;
                if (c == null) {
                    c = client.connect();
                    connection = c;
                }
            }
        }
        return c.sync();
    }

    /** Whether a command can be sent now (no round trip). */
    public boolean connected() {
        StatefulRedisConnection<String, String> c = connection;
        return c != null && c.isOpen();
    }

    public void ping() {
        redis().ping();
    }

    String leaseKey(String conference) {
        return prefix + "lease:" + conference;
    }

    String nodeKey(String nodeId) {
        return prefix + "node:" + nodeId;
    }

    /** Takes the lease for {@code owner} if nobody holds it. */
    public boolean acquire(String conference, String owner, Duration ttl) {
        return "OK".equals(redis().set(leaseKey(conference), owner, SetArgs.Builder.nx().px(ttl.toMillis())));
    }

    /** The lease's holder, or null. */
    public String owner(String conference) {
        return redis().get(leaseKey(conference));
    }

    public Renewal renew(String conference, String owner, Duration ttl) {
        Long r = redis().eval(EXTEND, ScriptOutputType.INTEGER, new String[] {leaseKey(conference)}, owner,
                Long.toString(ttl.toMillis()));
        return r == 1 ? Renewal.EXTENDED : r == 2 ? Renewal.RETAKEN : Renewal.LOST;
    }

    public boolean release(String conference, String owner) {
        Long r = redis().eval(RELEASE, ScriptOutputType.INTEGER, new String[] {leaseKey(conference)}, owner);
        return r == 1;
    }

    /** Moves the lease from {@code goneOwner} to {@code newOwner}, if {@code goneOwner} still holds it. */
    public boolean takeOver(String conference, String goneOwner, String newOwner, Duration ttl) {
        Long r = redis().eval(TAKE_OVER, ScriptOutputType.INTEGER, new String[] {leaseKey(conference)}, goneOwner,
                newOwner, Long.toString(ttl.toMillis()));
        return r == 1;
    }

    public void writeNode(NodeRecord record, Duration ttl) {
        redis().set(nodeKey(record.id()), record.toJson(), SetArgs.Builder.px(ttl.toMillis()));
    }

    public void deleteNode(String nodeId) {
        redis().del(nodeKey(nodeId));
    }

    public NodeRecord node(String nodeId) {
        return NodeRecord.fromJson(redis().get(nodeKey(nodeId)));
    }

    /** Every live node record. */
    public List<NodeRecord> nodes() {
        RedisCommands<String, String> redis = redis();
        List<String> keys = new ArrayList<>();
        ScanArgs match = ScanArgs.Builder.matches(prefix + "node:*").limit(500);
        KeyScanCursor<String> cursor = redis.scan(match);
        keys.addAll(cursor.getKeys());
        while (!cursor.isFinished()) {
            cursor = redis.scan(ScanCursor.of(cursor.getCursor()), match);
            keys.addAll(cursor.getKeys());
        }
        List<NodeRecord> records = new ArrayList<>();
        if (keys.isEmpty()) {
            return records;
        }
        for (KeyValue<String, String> kv : redis.mget(keys.toArray(String[]::new))) {
            NodeRecord r = kv.hasValue() ? NodeRecord.fromJson(kv.getValue()) : null;
            if (r != null) {
                records.add(r);
            }
        }
        return records;
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(0, 1, TimeUnit.SECONDS);
    }
}
