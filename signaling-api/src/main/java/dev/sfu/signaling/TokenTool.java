package dev.sfu.signaling;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar sfu-server.jar token --room R --identity alice [...]}: prints a join token signed with
 * the configured secret ({@code SFU_AUTH_SECRET} or the {@code --config} file), so a tester needs no
 * third-party JWT tool. docs/tokens.md lists the options.
 */
final class TokenTool {
    static final String USAGE = """
            usage: token --room ROOM [--identity ID] [--name NAME] [--ttl 1h] [--can-publish true|false]
                         [--can-subscribe true|false] [--can-publish-data true|false]
                         [--sources camera,microphone,screen,screen-audio] [--hidden] [--metadata TEXT]
                         [--config FILE]
            Prints a join token signed with the configured secret (SFU_AUTH_SECRET).""";

    private TokenTool() {
    }

    /** @return the exit code: 0, or 2 for a bad argument or no secret */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        try {
            out.println(token(args, env, Clock.systemUTC()));
            return 0;
        } catch (IllegalArgumentException e) { // ConfigException too: one line, no stack trace
            err.println("token: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
    }

    static String token(String[] args, Map<String, String> env, Clock clock) {
        List<String> configArgs = new ArrayList<>();
        ObjectNode claims = SignalingSession.JSON.createObjectNode();
        Duration ttl = Duration.ofHours(1);
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--hidden")) {
                claims.put("hidden", true);
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--room" -> claims.put("room", value);
                case "--identity" -> claims.put("sub", value);
                case "--name" -> claims.put("name", value);
                case "--metadata" -> claims.put("metadata", value);
                case "--ttl" -> ttl = duration(value);
                case "--can-publish" -> claims.put("canPublish", bool(option, value));
                case "--can-subscribe" -> claims.put("canSubscribe", bool(option, value));
                case "--can-publish-data" -> claims.put("canPublishData", bool(option, value));
                case "--sources" -> {
                    ArrayNode sources = claims.putArray("sources");
                    for (String s : value.split(",")) {
                        if (!Grants.SOURCES.contains(s.trim())) {
                            throw new IllegalArgumentException("--sources takes " + String.join(",", Grants.SOURCES));
                        }
                        sources.add(s.trim());
                    }
                }
                case "--config" -> {
                    configArgs.add("--config");
                    configArgs.add(value);
                }
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        if (!claims.has("room")) {
            throw new IllegalArgumentException("--room is required");
        }
        ServerConfig config = ServerConfig.load(configArgs.toArray(String[]::new), env);
        ServerConfig.Auth auth = config.auth();
        if (auth.secret() == null) {
            throw new IllegalArgumentException("no secret to sign with: set SFU_AUTH_SECRET (or auth.secret in --config)");
        }
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(auth.maxTokenLifetime()) > 0) {
            throw new IllegalArgumentException("--ttl must be positive and at most the server's max-token-lifetime ("
                    + auth.maxTokenLifetime() + ")");
        }
        long now = clock.instant().getEpochSecond();
        claims.put("iat", now).put("nbf", now).put("exp", now + ttl.toSeconds());
        if (auth.audience() != null) {
            claims.put("aud", auth.audience());
        }
        if (auth.issuer() != null) {
            claims.put("iss", auth.issuer());
        }
        return sign(claims, auth.secret());
    }

    /** An HS256 JWT of these claims. */
    static String sign(ObjectNode claims, String secret) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String body = b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        byte[] signature = new JoinAuthorizer(secret, Clock.systemUTC()).sign(header + "." + body);
        return header + "." + body + "." + b64.encodeToString(signature);
    }

    private static boolean bool(String option, String value) {
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException(option + " takes true or false");
        }
        return Boolean.parseBoolean(value);
    }

    private static Duration duration(String value) {
        try {
            return com.typesafe.config.ConfigFactory.parseString("d = \"" + value.replace("\"", "") + "\"").getDuration("d");
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--ttl takes a duration such as 30m, 1h or 3600s");
        }
    }
}
