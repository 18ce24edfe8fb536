package org.resnetspark.data;

import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

/**
 * A Hadoop {@link Configuration} that can travel inside Spark closures (Configuration itself is not
 * Serializable), so executors open files with the driver's filesystem settings (HDFS address, credentials
 * providers, ...).
 */
public final class HadoopConfHolder implements Serializable {

    private transient Configuration conf;

    public HadoopConfHolder(Configuration conf) {
        this.conf = conf;
    }

    public Configuration get() {
        return conf;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        out.defaultWriteObject();
        conf.write(out);
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        conf = new Configuration(false);
        conf.readFields(in);
    }
}
