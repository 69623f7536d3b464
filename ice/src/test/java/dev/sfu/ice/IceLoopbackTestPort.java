package dev.sfu.ice;

/** Lets a test class lend its own media port to {@link IceLoopbackTest.Pair}. */
final class IceLoopbackTestPort {
    private static volatile MediaPort override;

    private IceLoopbackTestPort() {
    }

    static void set(MediaPort port) {
        override = port;
    }

    static void clear() {
        override = null;
    }

    static MediaPort get(MediaPort fallback) {
        MediaPort o = override;
        return o != null ? o : fallback;
    }
}
