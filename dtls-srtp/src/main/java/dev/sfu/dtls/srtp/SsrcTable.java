package dev.sfu.dtls.srtp;

/**
 * SSRC → stream state, open addressing with linear probing: a lookup allocates nothing and takes no
 * lock (the per-packet path). It grows by doubling, which allocates only when a new SSRC is added, and
 * holds at most {@link #maxEntries}; what happens when it is full is the caller's decision (refuse for
 * sending states, evict the least recently used for receiving ones). Removal shifts the following
 * entries back (no tombstones), so a table that sees SSRCs come and go for hours never fills with dead
 * slots. Not thread-safe: one thread per table, as its {@link SrtpContext}.
 */
final class SsrcTable {
    private static final int INITIAL_SLOTS = 16;

    private final int maxEntries;
    private int[] keys;
    private SrtpStreamState[] values; // null marks a free slot
    private int mask;
    private int size;

    SsrcTable(int maxEntries) {
        this.maxEntries = maxEntries;
        keys = new int[INITIAL_SLOTS];
        values = new SrtpStreamState[INITIAL_SLOTS];
        mask = INITIAL_SLOTS - 1;
    }

    /** SSRCs are random but a peer chooses its own: mix them so that chosen ones do not cluster cheaply. */
    private int slot(int ssrc) {
        int h = ssrc * 0x9E3779B9;
        return (h ^ (h >>> 16)) & mask;
    }

    SrtpStreamState get(int ssrc) {
        for (int i = slot(ssrc); ; i = (i + 1) & mask) {
            SrtpStreamState s = values[i];
            if (s == null || keys[i] == ssrc) {
                return s;
            }
        }
    }

    int size() {
        return size;
    }

    boolean isFull() {
        return size >= maxEntries;
    }

    /** Adds a state whose SSRC is not in the table; the caller has checked {@link #isFull}. */
    void add(SrtpStreamState state) {
        if (size >= maxEntries) {
            throw new IllegalStateException("SSRC table full");
        }
        if (2 * (size + 1) > values.length) {
            grow();
        }
        int i = slot(state.ssrc);
        while (values[i] != null) {
            i = (i + 1) & mask;
        }
        keys[i] = state.ssrc;
        values[i] = state;
        size++;
    }

    /** Removes and returns the state of {@code ssrc}, or null when there is none. */
    SrtpStreamState remove(int ssrc) {
        int i = slot(ssrc);
        while (values[i] != null && keys[i] != ssrc) {
            i = (i + 1) & mask;
        }
        SrtpStreamState removed = values[i];
        if (removed == null) {
            return null;
        }
        values[i] = null;
        size--;
        // Backward shift: move up every later entry of the run that the hole would cut off from its slot.
        for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            boolean reachableWithoutHole = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!reachableWithoutHole) {
                keys[i] = keys[j];
                values[i] = values[j];
                values[j] = null;
                i = j;
            }
        }
        return removed;
    }

    /** The state used least recently ({@link SrtpStreamState#lastUsed}), or null when empty. Scans. */
    SrtpStreamState leastRecentlyUsed() {
        SrtpStreamState oldest = null;
        for (SrtpStreamState s : values) {
            if (s != null && (oldest == null || s.lastUsed < oldest.lastUsed)) {
                oldest = s;
            }
        }
        return oldest;
    }

    private void grow() {
        int[] oldKeys = keys;
        SrtpStreamState[] oldValues = values;
        keys = new int[oldKeys.length * 2];
        values = new SrtpStreamState[oldValues.length * 2];
        mask = values.length - 1;
        size = 0;
        for (int i = 0; i < oldValues.length; i++) {
            if (oldValues[i] != null) {
                int j = slot(oldKeys[i]);
                while (values[j] != null) {
                    j = (j + 1) & mask;
                }
                keys[j] = oldKeys[i];
                values[j] = oldValues[i];
                size++;
            }
        }
    }
}
