package dev.sfu.signaling;

import java.util.Properties;

/** Starts the whole server in process on loopback and ephemeral ports, for tests. */
public final class TestServers {
    private TestServers() {
    }

    public static Main.Server start() throws Exception {
        return start(new Properties());
    }

    public static Main.Server start(Properties overrides) throws Exception {
        Properties p = new Properties();
        p.setProperty("SFU_HTTP_PORT", "0");
        p.setProperty("SFU_HTTP_BIND_ADDRESS", "127.0.0.1");
        p.setProperty("SFU_MEDIA_PORT", "0");
        p.setProperty("SFU_MEDIA_BIND_ADDRESS", "127.0.0.1");
        p.setProperty("SFU_ADVERTISED_ADDRESS", "127.0.0.1");
        p.setProperty("SFU_MEDIA_THREADS", "2");
        p.setProperty("SFU_ICE_TCP_PORT", "0"); // off unless a test asks: the default 10000 may be taken
        p.putAll(overrides);
        return Main.Server.start(ServerConfig.from(p));
    }
}
