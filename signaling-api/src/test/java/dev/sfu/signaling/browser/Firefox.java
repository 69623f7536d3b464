package dev.sfu.signaling.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's headless {@code firefox-esr} with a fake camera and microphone, driven over WebDriver BiDi (a
 * WebSocket spoken with the JDK's HTTP client, as {@link Chromium} speaks CDP): no geckodriver, no
 * node_modules. Firefox starts with a fresh profile whose user.js sets the prefs the tests need.
 */
public final class Firefox implements AutoCloseable {
    public static final Path BINARY = Path.of(System.getProperty("firefox.binary", "/usr/bin/firefox-esr"));
    public static final String INSTALL = "install firefox-esr (apt-get install firefox-esr) to run the Firefox tests";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The prefs of every profile: fake media without a permission prompt, autoplay allowed, and none of
     * Firefox's background traffic. Not {@code media.peerconnection.ice.loopback}: Firefox 153 gathers no
     * 127.0.0.1 candidate with it either (tried), hence {@link NetworkNamespace}.
     */
    private static final Map<String, Object> PREFS = Map.ofEntries(
            Map.entry("remote.active-protocols", 1), // WebDriver BiDi only
            Map.entry("media.navigator.streams.fake", true),
            Map.entry("media.navigator.permission.disabled", true),
            Map.entry("media.autoplay.default", 0),
            Map.entry("media.autoplay.blocking_policy", 0),
            // A tab that is not the selected one keeps decoding video: the tests watch several pages at once.
            Map.entry("media.suspend-bkgnd-video.enabled", false),
            Map.entry("browser.shell.checkDefaultBrowser", false),
            Map.entry("browser.startup.homepage_override.mstone", "ignore"),
            Map.entry("browser.tabs.warnOnClose", false),
            Map.entry("datareporting.policy.dataSubmissionEnabled", false),
            Map.entry("toolkit.telemetry.reportingpolicy.firstRun", false),
            Map.entry("app.normandy.enabled", false),
            Map.entry("app.update.disabledForTesting", true),
            Map.entry("messaging-system.rsexperimentloader.enabled", false),
            Map.entry("network.connectivity-service.enabled", false),
            Map.entry("network.captive-portal-service.enabled", false),
            Map.entry("browser.safebrowsing.update.enabled", false),
            Map.entry("extensions.update.enabled", false),
            // Timers of a tab that is not the selected one are throttled; the tests keep several pages busy.
            Map.entry("dom.min_background_timeout_value", 4),
            Map.entry("dom.timeout.enable_budget_timer_throttling", false));

    /** The BiDi port inside a namespace. */
    private static final int RELAYED_PORT = 9222;

    private final Process process;
    private final Process relay;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    /** The pages' console output (log.entryAdded), shown when a test fails. */
    private final ConcurrentLinkedQueue<String> console = new ConcurrentLinkedQueue<>();

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /**
     * Firefox inside {@code namespace} (null: on this machine's network), with {@code prefs} beside the usual
     * ones. In a namespace its BiDi port (loopback only) is reached through a {@link TcpRelay} started there.
     */
    Firefox(NetworkNamespace namespace, Map<String, Object> prefs) throws Exception {
        profile = Files.createTempDirectory("sfu-firefox");
        StringBuilder userJs = new StringBuilder();
        java.util.Map<String, Object> all = new java.util.TreeMap<>(PREFS);
        all.putAll(prefs);
        all.forEach((k, v) -> userJs.append("user_pref(\"").append(k).append("\", ")
                .append(v instanceof String ? "\"" + v + "\"" : v).append(");\n"));
        Files.writeString(profile.resolve("user.js"), userJs);
        List<String> command = new ArrayList<>(namespace == null ? List.of() : namespace.exec());
        // In a fresh namespace every port is free, so the BiDi port can be fixed there.
        int port = namespace == null ? 0 : RELAYED_PORT;
        command.addAll(List.of(BINARY.toString(), "-headless", "-no-remote", "-profile", profile.toString(),
                "--remote-debugging-port=" + port, "--window-size=1280,720"));
        command.add("about:blank");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(profile.resolve("firefox.log").toFile());
        builder.environment().put("MOZ_HEADLESS", "1");
        builder.environment().remove("DISPLAY");
        process = builder.start();
        try {
            URI uri = awaitEndpoint();
            if (namespace != null) {
                relay = startRelay(namespace);
                uri = URI.create("ws://" + namespace.innerAddress().getHostAddress() + ":" + RELAYED_PORT + "/session");
            } else {
                relay = null;
            }
            socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(uri, new Listener()).get(10, TimeUnit.SECONDS);
            command("session.new", JSON.createObjectNode().set("capabilities", JSON.createObjectNode()));
            command("session.subscribe", (ObjectNode) JSON.createObjectNode().set("events",
                    JSON.createArrayNode().add("log.entryAdded")));
        } catch (Exception e) {
            stopProcess();
            deleteProfile();
            throw e;
        }
    }

    /** The relay into the namespace: a JVM running {@link TcpRelay} from the test classes. */
    private Process startRelay(NetworkNamespace namespace) throws Exception {
        String javaBinary = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes = Path.of(TcpRelay.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        List<String> command = new ArrayList<>(namespace.exec());
        String inner = namespace.innerAddress().getHostAddress();
        command.addAll(List.of(javaBinary, "-Xmx16m", "-XX:TieredStopAtLevel=1", "-cp", classes, TcpRelay.class.getName(),
                inner, Integer.toString(RELAYED_PORT), "127.0.0.1", Integer.toString(RELAYED_PORT)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8));
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        String line = first.get(20, TimeUnit.SECONDS);
        if (line == null || !line.startsWith("relaying")) {
            p.destroyForcibly();
            throw new IOException("the BiDi relay did not start: " + line);
        }
        return p;
    }

    /** Waits until Firefox listens for BiDi: it writes its port into the profile once it does. */
    private URI awaitEndpoint() throws Exception {
        Path log = profile.resolve("firefox.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && process.isAlive()) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("WebDriver BiDi listening on ws://[^:]+:(\\d+)")
                    .matcher(text);
            if (m.find()) {
                return URI.create("ws://127.0.0.1:" + m.group(1) + "/session");
            }
            Thread.sleep(50);
        }
        throw new IOException("firefox did not start: " + (Files.exists(log) ? Files.readString(log) : "no output"));
    }

    /** Receives BiDi messages, completing the pending command each answers and keeping console lines. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(partial.toString());
                    String type = message.path("type").asText();
                    if (type.equals("event")) {
                        if (message.path("method").asText().equals("log.entryAdded") && console.size() < 500) {
                            JsonNode p = message.path("params");
                            console.add(p.path("level").asText() + ": " + p.path("text").asText());
                        }
                    } else if (message.has("id")) {
                        CompletableFuture<JsonNode> f = pending.remove(message.get("id").asInt());
                        if (f != null) {
                            if (type.equals("error")) {
                                f.completeExceptionally(new IOException(message.path("error").asText() + ": "
                                        + message.path("message").asText()));
                            } else {
                                f.complete(message.get("result"));
                            }
                        }
                    }
                } catch (IOException e) {
                    // not JSON: nothing of ours
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }

    JsonNode command(String method, ObjectNode params) throws Exception {
        int id = nextId.getAndIncrement();
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", params);
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        pending.put(id, result);
        synchronized (socket) {
            socket.sendText(message.toString(), true).get(10, TimeUnit.SECONDS);
        }
        try {
            return result.get(30, TimeUnit.SECONDS);
        } finally {
            pending.remove(id);
        }
    }

    /** What the pages logged to their consoles so far. */
    public List<String> console() {
        return List.copyOf(console);
    }

    /**
     * Runs {@code function} (a JavaScript function declaration) in every page loaded from now on, before the
     * page's own scripts: how a test records what a page sends from its first moment.
     */
    public void addPreloadScript(String function) throws Exception {
        command("script.addPreloadScript", JSON.createObjectNode().put("functionDeclaration", function));
    }

    /** Opens a new tab at a URL, returning once the document is interactive. */
    public Page open(String url) throws Exception {
        String context = command("browsingContext.create", JSON.createObjectNode().put("type", "tab"))
                .get("context").asText();
        command("browsingContext.navigate", JSON.createObjectNode().put("context", context).put("url", url)
                .put("wait", "interactive"));
        return new Page(context);
    }

    /** One tab. */
    public final class Page {
        private final String context;

        Page(String context) {
            this.context = context;
        }

        /**
         * Evaluates a JavaScript expression (promises awaited) and returns its JSON value: BiDi returns typed
         * remote values, so the page serialises the value itself and the result reads like CDP's returnByValue.
         */
        public JsonNode eval(String expression) throws Exception {
            String wrapped = "(async () => JSON.stringify(await (" + expression + ") ?? null))()";
            ObjectNode params = JSON.createObjectNode().put("expression", wrapped).put("awaitPromise", true)
                    .put("userActivation", true);
            params.set("target", JSON.createObjectNode().put("context", context));
            JsonNode result = command("script.evaluate", params);
            if (!result.path("type").asText().equals("success")) {
                throw new IOException("script failed: " + result.path("exceptionDetails").path("text").asText(result.toString()));
            }
            return JSON.readTree(result.path("result").path("value").asText("null"));
        }

        public void screenshot(Path file) throws Exception {
            JsonNode result = command("browsingContext.captureScreenshot", JSON.createObjectNode().put("context", context));
            Files.createDirectories(file.getParent());
            Files.write(file, Base64.getDecoder().decode(result.get("data").asText()));
        }

        public void close() throws Exception {
            command("browsingContext.close", JSON.createObjectNode().put("context", context));
        }
    }

    @Override
    public void close() throws IOException {
        try {
            socket.abort();
        } finally {
            stopProcess();
            deleteProfile();
        }
    }

    /** Firefox's content processes are its children: stop them with it, before the profile is deleted. */
    private void stopProcess() {
        if (relay != null) {
            relay.destroyForcibly();
        }
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle child : children) {
            child.destroy();
            try {
                child.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                child.destroyForcibly();
            }
        }
    }

    /** Best effort: a file Firefox removes while we walk the tree must not fail the test that used it. */
    private void deleteProfile() {
        for (int attempt = 0; attempt < 3; attempt++) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                return;
            } catch (IOException | java.io.UncheckedIOException e) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
