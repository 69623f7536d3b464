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
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's headless Chromium with a fake camera and microphone, driven over the Chrome DevTools
 * Protocol (a WebSocket, spoken here with the JDK's HTTP client: no driver to install).
 */
public final class Chromium implements AutoCloseable {
    public static final Path BINARY = Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    public Chromium() throws Exception {
        this(List.of());
    }

    /** @param extraArgs more command-line switches (e.g. an origin to treat as secure) */
    public Chromium(List<String> extraArgs) throws Exception {
        profile = Files.createTempDirectory("sfu-chromium");
        List<String> command = new java.util.ArrayList<>(List.of(BINARY.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required",
                "--disable-renderer-backgrounding", "--disable-background-timer-throttling",
                "--disable-backgrounding-occluded-windows", "--window-size=1280,720",
                "--remote-debugging-port=0", "--user-data-dir=" + profile));
        command.addAll(extraArgs);
        command.add("about:blank");
        process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(portFile) || Files.readAllLines(portFile).size() < 2) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                process.destroyForcibly();
                throw new IOException("chromium did not start: " + Files.readString(profile.resolve("chromium.log")));
            }
            Thread.sleep(50);
        }
        List<String> lines = Files.readAllLines(portFile);
        URI uri = URI.create("ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim());
        socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, new Listener()).get(10, TimeUnit.SECONDS);
    }

    /** Receives CDP messages, completing the pending command each answers. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode message = JSON.readTree(partial.toString());
                    if (message.has("id")) {
                        CompletableFuture<JsonNode> f = pending.remove(message.get("id").asInt());
                        if (f != null) {
                            if (message.has("error")) {
                                f.completeExceptionally(new IOException(message.get("error").toString()));
                            } else {
                                f.complete(message.get("result"));
                            }
                        }
                    }
                } catch (IOException e) {
                    // not for us
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }

    JsonNode command(String sessionId, String method, ObjectNode params) throws Exception {
        int id = nextId.getAndIncrement();
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", params == null ? JSON.createObjectNode() : params);
        if (sessionId != null) {
            message.put("sessionId", sessionId);
        }
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        pending.put(id, result);
        synchronized (socket) {
            socket.sendText(message.toString(), true).get(10, TimeUnit.SECONDS);
        }
        return result.get(30, TimeUnit.SECONDS);
    }

    /**
     * Opens a page at a URL, in a window of its own: as a person's call in its own window, it is visible
     * (a background tab is hidden, and the page then asks for no video at all).
     */
    public Page open(String url) throws Exception {
        String targetId = command(null, "Target.createTarget", JSON.createObjectNode().put("url", url)
                .put("newWindow", true)).get("targetId").asText();
        String sessionId = command(null, "Target.attachToTarget",
                JSON.createObjectNode().put("targetId", targetId).put("flatten", true)).get("sessionId").asText();
        return new Page(targetId, sessionId);
    }

    /** One tab. */
    public final class Page {
        private final String targetId;
        private final String sessionId;

        Page(String targetId, String sessionId) {
            this.targetId = targetId;
            this.sessionId = sessionId;
        }

        /** Evaluates a JavaScript expression (promises awaited) and returns its JSON value. */
        public JsonNode eval(String expression) throws Exception {
            return eval(expression, false);
        }

        /** As {@link #eval(String)}, as if the user had clicked (what getDisplayMedia and autoplay ask for). */
        public JsonNode evalAsUser(String expression) throws Exception {
            return eval(expression, true);
        }

        private JsonNode eval(String expression, boolean userGesture) throws Exception {
            JsonNode result = command(sessionId, "Runtime.evaluate", JSON.createObjectNode()
                    .put("expression", expression).put("returnByValue", true).put("awaitPromise", true)
                    .put("userGesture", userGesture));
            if (result.has("exceptionDetails")) {
                throw new IOException("script failed: " + result.get("exceptionDetails"));
            }
            return result.path("result").path("value");
        }

        public void screenshot(Path file) throws Exception {
            JsonNode result = command(sessionId, "Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
            Files.createDirectories(file.getParent());
            Files.write(file, Base64.getDecoder().decode(result.get("data").asText()));
        }

        public void close() throws Exception {
            command(null, "Target.closeTarget", JSON.createObjectNode().put("targetId", targetId));
        }
    }

    @Override
    public void close() throws IOException {
        // Chromium's helper processes (renderer, GPU, network) outlive the browser process by a moment and
        // keep writing into the profile: stop them too, before the profile is deleted.
        List<ProcessHandle> helpers = process.descendants().toList();
        try {
            socket.abort();
        } finally {
            process.destroy();
            helpers.forEach(ProcessHandle::destroy);
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
                for (ProcessHandle helper : helpers) {
                    helper.onExit().get(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                helpers.forEach(ProcessHandle::destroyForcibly);
            }
            deleteProfile();
        }
    }

    /** Best effort: a file Chromium removes while we walk the tree must not fail the test that used it. */
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
