package dev.sfu.core.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IntObjectMapTest {

    @Test
    void behavesLikeAHashMapUnderRandomOperations() {
        Random random = new Random(7);
        IntObjectMap<String> map = new IntObjectMap<>();
        Map<Integer, String> reference = new HashMap<>();
        for (int i = 0; i < 50_000; i++) {
            int key = random.nextInt(300) - 150;
            switch (random.nextInt(3)) {
                case 0 -> {
                    map.put(key, "v" + i);
                    reference.put(key, "v" + i);
                }
                case 1 -> assertEquals(reference.remove(key), map.remove(key));
                default -> assertEquals(reference.get(key), map.get(key));
            }
            assertEquals(reference.size(), map.size());
        }
    }

    @Test
    void removesEveryKeyOfAValue() {
        IntObjectMap<String> map = new IntObjectMap<>();
        String stream = "s";
        map.put(1, stream);
        map.put(2, stream);
        map.put(3, "other");
        map.removeIf(v -> v == stream);
        assertNull(map.get(1));
        assertNull(map.get(2));
        assertEquals("other", map.get(3));
        assertEquals(1, map.size());
    }
}
