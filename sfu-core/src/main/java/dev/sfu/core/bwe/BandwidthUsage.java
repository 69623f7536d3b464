package dev.sfu.core.bwe;

/** What the delay-gradient detector concludes about the path (GCC, draft-ietf-rmcat-gcc-02 §5.4). */
public enum BandwidthUsage {
    NORMAL,
    /** Queues are growing: we send more than the path carries. */
    OVERUSING,
    /** Queues are draining: hold the rate until they are empty. */
    UNDERUSING
}
