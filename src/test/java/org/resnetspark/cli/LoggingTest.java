package org.resnetspark.cli;

import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Logging works: slf4j is bound to log4j2 (not the NOP fallback that DL4J's old slf4j-api causes when unpinned)
 * and a line logged through slf4j reaches a log4j2 appender.
 */
class LoggingTest {

    @Test
    void slf4jIsBoundToLog4j2AndLinesArrive() {
        assertEquals("org.apache.logging.slf4j.Log4jLoggerFactory",
                LoggerFactory.getILoggerFactory().getClass().getName());
        LoggerContext ctx = (LoggerContext) org.apache.logging.log4j.LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        StringWriter sink = new StringWriter();
        WriterAppender appender = WriterAppender.newBuilder().setName("capture").setTarget(sink)
                .setLayout(PatternLayout.newBuilder().withPattern("%p %c %m%n").build()).build();
        appender.start();
        LoggerConfig root = config.getRootLogger();
        root.addAppender(appender, null, null);
        ctx.updateLoggers();
        try {
            LoggerFactory.getLogger("org.resnetspark.LoggingTest").info("hello from slf4j");
        } finally {
            root.removeAppender("capture");
            ctx.updateLoggers();
        }
        assertTrue(sink.toString().contains("INFO org.resnetspark.LoggingTest hello from slf4j"), sink.toString());
    }
}
