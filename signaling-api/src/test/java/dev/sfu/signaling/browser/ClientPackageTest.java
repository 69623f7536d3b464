package dev.sfu.signaling.browser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JavaScript client as an npm package (issue 18): clients/js is the one copy in git, the server serves
 * that same file, the package names its module and types, and sfu-client.d.ts declares what the module
 * exports and compiles with TypeScript, an application using it (examples/typed.ts) too, while a misuse
 * does not.
 */
class ClientPackageTest {
    static final Path PACKAGE = Path.of("..", "clients", "js").toAbsolutePath().normalize();

    private static Set<String> exported(String source, Pattern pattern) {
        Set<String> names = new TreeSet<>();
        Matcher m = pattern.matcher(source);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @Test
    void theServerServesThePackagesOneCopy() throws Exception {
        assertFalse(Files.exists(Path.of("src", "main", "resources", "web", "sfu-client.js")),
                "sfu-client.js lives in clients/js only; the build copies it into the jar");
        try (InputStream served = getClass().getResourceAsStream("/web/sfu-client.js")) {
            assertNotNull(served, "the build must copy clients/js/sfu-client.js into the server's web resources");
            assertArrayEquals(Files.readAllBytes(PACKAGE.resolve("sfu-client.js")), served.readAllBytes());
        }
    }

    @Test
    void packageJsonNamesAnEsModuleWithItsTypes() throws Exception {
        JsonNode p = new ObjectMapper().readTree(PACKAGE.resolve("package.json").toFile());
        assertEquals("@sfu/client", p.path("name").asText());
        assertEquals("module", p.path("type").asText());
        assertEquals("./sfu-client.d.ts", p.path("types").asText());
        assertEquals("./sfu-client.js", p.path("exports").path(".").path("import").asText());
        assertEquals("./sfu-client.d.ts", p.path("exports").path(".").path("types").asText());
        for (JsonNode f : p.path("files")) {
            assertTrue(Files.exists(PACKAGE.resolve(f.asText())), "package.json lists a missing file " + f);
        }
    }

    @Test
    void declarationsNameWhatTheModuleExports() throws Exception {
        Set<String> js = exported(Files.readString(PACKAGE.resolve("sfu-client.js")),
                Pattern.compile("(?m)^export (?:async )?(?:const|function|class) (\\w+)"));
        Set<String> dts = exported(Files.readString(PACKAGE.resolve("sfu-client.d.ts")),
                Pattern.compile("(?m)^export declare (?:const|function|class) (\\w+)"));
        assertEquals(js, dts, "sfu-client.d.ts must declare exactly what sfu-client.js exports");
        assertTrue(js.containsAll(List.of("SfuClient", "SfuError", "describeError", "getMedia", "getScreen")), js.toString());
    }

    /** Runs TypeScript's compiler (installed by npm into target/, never committed) on the package. */
    @Test
    @Tag("browser")
    @Timeout(240)
    void declarationsCompileAndCatchAMisuse() throws Exception {
        Path tsc = NpmTools.require("typescript").resolve("typescript").resolve("bin").resolve("tsc");
        // A copy, so that nothing is written into the source tree.
        Path dir = Path.of("target", "ts-check").toAbsolutePath();
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        Files.createDirectories(dir.resolve("examples"));
        for (String f : List.of("package.json", "tsconfig.json", "sfu-client.js", "sfu-client.d.ts", "examples/typed.ts")) {
            Files.copy(PACKAGE.resolve(f), dir.resolve(f));
        }
        NpmTools.Result good = NpmTools.run(dir, List.of("node", tsc.toString(), "-p", "tsconfig.json"), 120);
        assertEquals(0, good.exit(), "tsc on the package and examples/typed.ts:\n" + good.output());

        Files.writeString(dir.resolve("examples/misuse.ts"), """
                import {SfuClient} from '@sfu/client';
                const c = new SfuClient('ws://127.0.0.1/ws');
                c.addEventListener('track', ({detail}) => console.log(detail.noSuchField));
                c.setMuted('speaker', true);
                """);
        Files.writeString(dir.resolve("tsconfig.misuse.json"),
                "{\"extends\": \"./tsconfig.json\", \"files\": [\"sfu-client.d.ts\", \"examples/misuse.ts\"]}");
        NpmTools.Result bad = NpmTools.run(dir, List.of("node", tsc.toString(), "-p", "tsconfig.misuse.json"), 120);
        assertTrue(bad.exit() != 0 && bad.output().contains("noSuchField") && bad.output().contains("speaker"),
                "the declarations must reject an unknown event field and an unknown source:\n" + bad.output());
    }
}
