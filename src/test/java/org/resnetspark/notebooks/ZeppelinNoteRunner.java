package org.resnetspark.notebooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.resnetspark.testing.LocalSpark;
import scala.collection.JavaConverters;
import scala.tools.nsc.Settings;
import scala.tools.nsc.interpreter.IMain;
import scala.tools.nsc.interpreter.Results;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a Zeppelin note ({@code .zpln}) the way Zeppelin's Spark interpreter does, in this JVM: a class-based Scala
 * REPL ({@link IMain}) whose classes executors load through Spark's {@code spark.repl.class.outputDir}, with
 * {@code spark}, {@code sc}, {@code sqlContext} and {@code z} bound and Zeppelin's default imports. Paragraphs run
 * in order, statement by statement as Zeppelin feeds them; {@code %md} ones are skipped, {@code %sql} ones go through {@code spark.sql}, and a note is run as
 * "Run all" would, stopping at the first paragraph that fails to compile or throws.
 *
 * <p>Usage: {@code ZeppelinNoteRunner <note.zpln> [form=value ...]}; exit 0 when every paragraph succeeded, 1 with
 * a {@code NOTE FAILED} line naming the paragraph otherwise.
 */
public final class ZeppelinNoteRunner {

    private ZeppelinNoteRunner() {
    }

    public static void main(String[] args) throws Exception {
        Path note = Path.of(args[0]);
        Map<String, String> forms = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            forms.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        JsonNode paragraphs = new ObjectMapper().readTree(note.toFile()).path("paragraphs");
        Path classes = Files.createTempDirectory("zeppelin-repl-classes");
        SparkSession spark = session(classes);
        IMain repl = repl(classes);
        ZeppelinContextStub z = new ZeppelinContextStub(forms);
        bind(repl, "spark", SparkSession.class.getName(), spark);
        bind(repl, "sc", "org.apache.spark.SparkContext", spark.sparkContext());
        bind(repl, "sqlContext", "org.apache.spark.sql.SQLContext", spark.sqlContext());
        bind(repl, "z", ZeppelinContextStub.class.getName(), z);
        for (String imports : List.of("import org.apache.spark.SparkContext._", "import spark.implicits._",
                "import spark.sql", "import org.apache.spark.sql.functions._")) {
            check(repl.interpret(imports), note, 0, "Zeppelin's imports");
        }
        int n = 0;
        for (JsonNode p : paragraphs) {
            n++;
            String title = p.path("title").asText("paragraph " + n);
            String text = p.path("text").asText("");
            String interpreter = text.startsWith("%") ? text.substring(1, text.indexOf('\n') < 0 ? text.length()
                    : text.indexOf('\n')).trim() : "spark";
            String body = text.startsWith("%") ? text.substring(Math.max(text.indexOf('\n'), 0)) : text;
            System.out.println("=== " + note.getFileName() + " paragraph " + n + " (" + title + "): %" + interpreter);
            switch (interpreter) {
                case "md" -> System.out.println("(markdown, not run)");
                case "spark", "spark.spark" -> interpretByLines(repl, body, note, n, title);
                case "sql", "spark.sql" -> check(repl.interpret("spark.sql(\"\"\"" + body + "\"\"\").show(false)"),
                        note, n, title);
                default -> fail(note, n, title, "interpreter %" + interpreter + " is not one the test can run");
            }
        }
        System.out.println("NOTE OK: " + note.getFileName() + ", " + n + " paragraphs, forms " + z.asked());
        repl.close();
        spark.stop();
        System.exit(0);
    }

    /** A local[2] session with Kryo and the application's registrator (what the notes' setup paragraph asks for). */
    private static SparkSession session(Path replClasses) {
        SparkConf conf = LocalSpark.conf(2).setAppName("zeppelin-note-test")
                .set("spark.repl.class.outputDir", replClasses.toString());
        return SparkSession.builder().config(conf).getOrCreate();
    }

    private static IMain repl(Path classes) {
        Settings settings = new Settings();
        settings.processArgumentString("-Yrepl-class-based -Yrepl-outdir " + classes + " -usejavacp");
        IMain repl = new IMain(settings, new PrintWriter(System.out, true));
        repl.initializeSynchronous();
        return repl;
    }

    private static void bind(IMain repl, String name, String type, Object value) {
        Results.Result r = repl.bind(name, type, value,
                JavaConverters.asScalaBuffer(List.of("@transient")).toList());
        if (r != Results.Success$.MODULE$) {
            throw new IllegalStateException("could not bind " + name + ": " + r);
        }
    }

    /**
     * As Zeppelin's Scala interpreter: one REPL request per statement, found by feeding lines until the input is
     * complete, and a line starting with '.' continues the previous one. (One request for the whole paragraph would
     * differ: a case class used in the paragraph that defines it has no outer instance yet for Spark's encoders.)
     */
    private static void interpretByLines(IMain repl, String body, Path note, int n, String title) {
        String[] lines = body.split("\n");
        StringBuilder pending = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            pending.append(lines[i]).append('\n');
            String next = i + 1 < lines.length ? lines[i + 1].trim() : "";
            if (next.startsWith(".") && !next.startsWith("..") && !next.startsWith("./")) {
                continue;
            }
            Results.Result r = repl.interpret(pending.toString());
            if (r != Results.Incomplete$.MODULE$) {
                check(r, note, n, title);
                pending.setLength(0);
            }
        }
        if (!pending.toString().isBlank()) {
            check(Results.Incomplete$.MODULE$, note, n, title);
        }
    }

    private static void check(Results.Result result, Path note, int n, String title) {
        if (result != Results.Success$.MODULE$) {
            fail(note, n, title, result == Results.Incomplete$.MODULE$ ? "incomplete input" : "error (above)");
        }
    }

    private static void fail(Path note, int n, String title, String why) {
        System.out.println("NOTE FAILED: " + note.getFileName() + " paragraph " + n + " (" + title + "): " + why);
        System.out.flush();
        Runtime.getRuntime().halt(1);
    }
}
