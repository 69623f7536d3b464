package dev.sfu.signaling.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Node packages a test needs (TypeScript to check sfu-client.d.ts, axe-core to check the page), installed
 * with npm into {@code target/npm-tools} (build output: never committed, no package.json of ours changes)
 * once per build. Where npm or the registry cannot be reached the test is skipped with the command, except
 * in CI (RequiredTool).
 */
final class NpmTools {
    static final Path DIR = Path.of("target", "npm-tools").toAbsolutePath();

    private NpmTools() {
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** node_modules/PACKAGE for each package, installed if missing; skips the test where that cannot be done. */
    static synchronized Path require(String... packages) throws Exception {
        String install = "install node and npm (apt-get install nodejs npm) with access to the npm registry";
        RequiredTool.require(onPath("npm") && onPath("node"), install);
        List<String> missing = new ArrayList<>();
        for (String p : packages) {
            if (!Files.exists(DIR.resolve("node_modules").resolve(p).resolve("package.json"))) {
                missing.add(p);
            }
        }
        if (!missing.isEmpty()) {
            Files.createDirectories(DIR);
            List<String> command = new ArrayList<>(List.of("npm", "install", "--no-save", "--no-audit", "--no-fund",
                    "--no-package-lock", "--prefix", DIR.toString()));
            command.addAll(missing);
            Process npm = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(DIR.resolve("npm-install.log").toFile()).start();
            boolean done = npm.waitFor(120, TimeUnit.SECONDS);
            if (!done) {
                npm.destroyForcibly();
            }
            RequiredTool.require(done && npm.exitValue() == 0,
                    "npm install " + String.join(" ", missing) + " failed (see " + DIR.resolve("npm-install.log")
                            + "): " + install);
        }
        return DIR.resolve("node_modules");
    }

    /** Runs a command, returning its exit code and output. */
    static Result run(Path dir, List<String> command, long seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, new String(out) + "\n(timed out)");
        }
        return new Result(p.exitValue(), new String(out));
    }

    record Result(int exit, String output) {
    }
}
