package org.resnetspark.train;

import org.apache.spark.SparkEnv;
import org.nd4j.parameterserver.distributed.v2.transport.PortSupplier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;

/**
 * Aeron UDP ports for gradient sharing: the fixed controller port on the driver, a free port on each executor
 * (several executor JVMs may share a host). Needed because DL4J M2's {@code StaticPortSupplier(int)} never
 * stores its argument, so {@code VoidConfiguration.unicastPort} has no effect.
 */
public final class AeronPortSupplier implements PortSupplier {

    private final int controllerPort;

    public AeronPortSupplier(int controllerPort) {
        this.controllerPort = controllerPort;
    }

    @Override
    public int getPort() {
        SparkEnv env = SparkEnv.get();
        if (env == null || "driver".equals(env.executorId())) {
            return controllerPort;
        }
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free UDP port for gradient sharing on this executor", e);
        }
    }
}
