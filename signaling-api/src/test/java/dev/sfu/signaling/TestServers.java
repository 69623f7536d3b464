package dev.sfu.signaling;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** Starts the whole server in process on loopback and ephemeral ports, for tests. */
public final class TestServers {
    private TestServers() {
    }

    public static Main.Server start() throws Exception {
        return start(new Properties());
    }

    /** @param overrides environment variables ({@code SFU_*}) over the test defaults */
    public static Main.Server start(Properties overrides) throws Exception {
        return start(overrides, "");
    }

    /** @param file configuration file text (HOCON) under the environment */
    public static Main.Server start(Properties overrides, String file) throws Exception {
        return Main.Server.start(config(overrides, file));
    }

    static ServerConfig config(Properties overrides, String file) {
        Map<String, String> env = new HashMap<>();
        env.put("SFU_HTTP_PORT", "0");
        env.put("SFU_HTTP_BIND_ADDRESS", "127.0.0.1");
        env.put("SFU_MEDIA_PORT", "0");
        env.put("SFU_MEDIA_BIND_ADDRESS", "127.0.0.1");
        env.put("SFU_ADVERTISED_ADDRESS", "127.0.0.1");
        env.put("SFU_MEDIA_THREADS", "2");
        env.put("SFU_ICE_TCP_PORT", "0"); // off unless a test asks
        overrides.forEach((k, v) -> env.put((String) k, (String) v));
        return ConfigLoader.load(ConfigLoader.parseString(file), env);
    }
}
