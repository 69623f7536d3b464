package dev.sfu.sctp;

/**
 * How one message is sent: ordered or not, and its partial reliability (RFC 3758 with the RFC 7496 policies):
 * at most {@code maxRetransmits} retransmissions, or at most {@code maxLifetimeNanos} in the queue and in
 * flight. A negative value means no limit; both limits may be set (the first reached abandons).
 */
public record SendOptions(boolean unordered, int maxRetransmits, long maxLifetimeNanos) {
    public static final SendOptions RELIABLE = new SendOptions(false, -1, -1);
    public static final SendOptions UNORDERED = new SendOptions(true, -1, -1);

    public boolean partiallyReliable() {
        return maxRetransmits >= 0 || maxLifetimeNanos >= 0;
    }
}
