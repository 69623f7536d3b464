package dev.sfu.core.data;

/**
 * What one endpoint may put through the data-channel relay, and what a receiver may fall behind.
 *
 * @param messagesPerSecond messages an endpoint may send per second (bursts of twice that); beyond, its
 *     messages are dropped and counted
 * @param bytesPerSecond bytes an endpoint may send per second (bursts of twice that)
 * @param receiverBacklogBytes bytes queued towards one receiver on one relayed channel beyond which its
 *     unreliable messages are dropped and its reliable channel counts as blocked
 * @param blockedChannelNanos how long a reliable relayed channel may stay blocked before it is closed for
 *     that receiver (the sender and the other receivers go on)
 */
public record DataLimits(int messagesPerSecond, long bytesPerSecond, long receiverBacklogBytes,
        long blockedChannelNanos) {

    /** Chat, reactions, whiteboard strokes and file chunks fit; one peer cannot saturate the server. */
    public static DataLimits defaults() {
        return new DataLimits(200, 2L * 1024 * 1024, 1024 * 1024, 5_000_000_000L);
    }

    public DataLimits {
        if (messagesPerSecond <= 0 || bytesPerSecond <= 0 || receiverBacklogBytes <= 0 || blockedChannelNanos <= 0) {
            throw new IllegalArgumentException("data-channel limits must be positive");
        }
    }
}
