package org.resnetspark.notebooks;

import org.apache.spark.sql.Dataset;

import java.util.Map;
import java.util.TreeMap;

/**
 * The part of Zeppelin's {@code z} (ZeppelinContext) that the notes use, with the same signatures: dynamic
 * forms answer with the values the test gives (else the form's default, as an unedited form does), and
 * {@code show} prints the table instead of rendering it.
 */
public final class ZeppelinContextStub {

    private final Map<String, String> forms;
    private final Map<String, String> asked = new TreeMap<>();

    public ZeppelinContextStub(Map<String, String> forms) {
        this.forms = Map.copyOf(forms);
    }

    /** As Zeppelin's {@code z.textbox(name, default)}: the form's current value. */
    public Object textbox(String name, String defaultValue) {
        String value = forms.getOrDefault(name, defaultValue);
        asked.put(name, value);
        System.out.println("[z.textbox] " + name + " = " + value
                + (forms.containsKey(name) ? "" : " (the note's default)"));
        return value;
    }

    public Object textbox(String name) {
        return textbox(name, "");
    }

    /** As Zeppelin's {@code z.show(df)}: up to 20 rows of a Dataset (Zeppelin's table view shows 1000). */
    public void show(Object o) {
        if (o instanceof Dataset<?> df) {
            df.show(20, false);
        } else {
            System.out.println(o);
        }
    }

    /** The forms the note asked for, with the value each got. */
    public Map<String, String> asked() {
        return Map.copyOf(asked);
    }
}
