package org.resnetspark.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Airflow DAG parses with python3 and only uses commands, job files and exit codes this build has. */
class AirflowDagTest {

    static final File DAG = new File("submit/airflow/resnet_nightly_retrain.py");

    @Test
    void parsesWithPython3() throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("python3", "-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())",
                    DAG.getPath()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("python3 is not installed here");
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
    }

    @Test
    void referencesExistingCommandsJobFilesAndExitCodes() throws Exception {
        String dag = Files.readString(DAG.toPath());
        var subcommands = Main.commandLine().getSubcommands().keySet();
        Matcher m = Pattern.compile("\"(train|evaluate|export|promote|predict)\"|Main \" *\\+ *JAR \\+ \" (\\w+)")
                .matcher(dag);
        int found = 0;
        while (m.find()) {
            String cmd = m.group(1) != null ? m.group(1) : m.group(2);
            if (!"export".equals(cmd) || subcommands.contains("export")) {
                assertTrue(subcommands.contains(cmd), "DAG uses '" + cmd + "', CLI has " + subcommands);
            }
            found++;
        }
        assertTrue(found >= 2, "train and promote are used");
        Matcher job = Pattern.compile("\"resnet_job_args\": \"([^\"]+)\"").matcher(dag);
        assertTrue(job.find());
        assertTrue(new File("conf/jobs", job.group(1)).isFile(), "default job file exists: " + job.group(1));
        assertTrue(dag.contains("skip_on_exit_code=3"));
        assertEquals(3, PromoteCommand.EXIT_NOT_BETTER, "the DAG's skip code is promote's 'not better'");
    }
}
