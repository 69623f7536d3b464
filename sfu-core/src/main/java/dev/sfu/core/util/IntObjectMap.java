package dev.sfu.core.util;

import java.util.Arrays;

/**
 * An open-addressing hash map from int keys (SSRCs) to objects: lookups allocate nothing, unlike a
 * {@code HashMap<Integer, V>}. Not thread-safe: each instance belongs to one media thread.
 */
public final class IntObjectMap<V> {
    private int[] keys;
    private Object[] values;
    private boolean[] used;
    private int size;

    public IntObjectMap() {
        this(16);
    }

    public IntObjectMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new int[capacity];
        values = new Object[capacity];
        used = new boolean[capacity];
    }

    private static int mix(int key) {
        int h = key * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    @SuppressWarnings("unchecked")
    public V get(int key) {
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; used[i]; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return (V) values[i];
            }
        }
        return null;
    }

    public void put(int key, V value) {
        if ((size + 1) * 2 > keys.length) {
            resize(keys.length * 2);
        }
        int mask = keys.length - 1;
        int i = mix(key) & mask;
        while (used[i]) {
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
            i = (i + 1) & mask;
        }
        used[i] = true;
        keys[i] = key;
        values[i] = value;
        size++;
    }

    @SuppressWarnings("unchecked")
    public V remove(int key) {
        int mask = keys.length - 1;
        int i = mix(key) & mask;
        while (used[i]) {
            if (keys[i] == key) {
                V old = (V) values[i];
                used[i] = false;
                values[i] = null;
                size--;
                // Re-insert the rest of the cluster so that lookups never stop early.
                for (int j = (i + 1) & mask; used[j]; j = (j + 1) & mask) {
                    int k = keys[j];
                    Object v = values[j];
                    used[j] = false;
                    values[j] = null;
                    size--;
                    put(k, (V) v);
                }
                return old;
            }
            i = (i + 1) & mask;
        }
        return null;
    }

    public int size() {
        return size;
    }

    public void clear() {
        Arrays.fill(used, false);
        Arrays.fill(values, null);
        size = 0;
    }

    /** Removes every entry whose value matches (a departed track's streams). Control path only. */
    @SuppressWarnings("unchecked")
    public void removeIf(java.util.function.Predicate<V> condition) {
        for (int i = 0; i < keys.length; i++) {
            if (used[i] && condition.test((V) values[i])) {
                remove(keys[i]);
                i = -1; // the table changed under us: start over (rare, control path only)
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void resize(int capacity) {
        int[] oldKeys = keys;
        Object[] oldValues = values;
        boolean[] oldUsed = used;
        keys = new int[capacity];
        values = new Object[capacity];
        used = new boolean[capacity];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldUsed[i]) {
                put(oldKeys[i], (V) oldValues[i]);
            }
        }
    }
}
