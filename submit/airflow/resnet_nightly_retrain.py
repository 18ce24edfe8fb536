"""Nightly retraining of a resnet-spark model with Apache Airflow (2.6+ with the apache-spark provider).

Every night: fine-tune from last night's run on the data that arrived (train), export the result (export),
and promote it to production only if its evaluation on the fixed validation set beats production's (promote).
The decision lives in the application (`resnet-spark promote`, exit 0 promoted / 3 not better / 1 error); the
DAG only orders the steps, retries transient failures and surfaces the outcome.

Configure through Airflow Variables (defaults in DEFAULTS): resnet_spark_home (a checkout with the built
application jar), resnet_data_root (one TFRecord folder per day: <root>/<ds>/train-*, plus the fixed
validation-* shards), resnet_model_root, resnet_production, resnet_job_args (a conf/jobs argfile).
Spark connection: `spark_default` pointing at the YARN or Kubernetes master.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.models import Variable
from airflow.operators.bash import BashOperator
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

DEFAULTS = {
    "resnet_spark_home": "/opt/resnet-spark",
    "resnet_data_root": "hdfs:///data/imagenet-nightly",
    "resnet_model_root": "hdfs:///models/resnet50-nightly",
    "resnet_production": "hdfs:///models/resnet50-production",
    "resnet_job_args": "imagenet-resnet50-v1.5.args",
}


def var(name):
    return Variable.get(name, default_var=DEFAULTS[name])


HOME = var("resnet_spark_home")
JAR = HOME + "/target/resnet-spark-0.1.0-SNAPSHOT-app.jar"
JOB_ARGS = var("resnet_job_args")
MODEL_DIR = var("resnet_model_root") + "/{{ ds_nodash }}"
PREVIOUS_MODEL_DIR = var("resnet_model_root") + "/{{ prev_ds_nodash }}"
SPARK_CONF_FILE = HOME + "/conf/spark-cluster.conf"


def spark_properties():
    """conf/spark-cluster.conf as a dict (SparkSubmitOperator takes conf, not a properties file)."""
    props = {}
    try:
        with open(SPARK_CONF_FILE) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    key, _, value = line.partition(" ")
                    props[key] = value.strip()
    except OSError:
        pass  # parsed on a machine without the checkout: the task fails loudly at run time instead
    return props


default_args = {
    "owner": "ml-platform",
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
    "retry_exponential_backoff": True,
}

with DAG(
    dag_id="resnet_spark_nightly_retrain",
    description="Fine-tune on the day's data, evaluate on the fixed validation set, promote only if better",
    schedule="0 1 * * *",
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["resnet-spark", "training"],
) as dag:
    # Resumes on retry (the same model_dir), warm-starts from last night's run on the first attempt.
    train = SparkSubmitOperator(
        task_id="train",
        application=JAR,
        java_class="org.resnetspark.cli.Main",
        conn_id="spark_default",
        deploy_mode="cluster",
        conf=spark_properties(),
        files=HOME + "/conf/jobs/" + JOB_ARGS,
        application_args=[
            "train", "@" + JOB_ARGS,
            "--data_dir", var("resnet_data_root") + "/{{ ds }}",
            "--model_dir", MODEL_DIR,
            "--pretrained_model_checkpoint_path", PREVIOUS_MODEL_DIR,
            "--train_epochs", "5",
        ],
        execution_timeout=timedelta(hours=20),
    )

    export = SparkSubmitOperator(
        task_id="export",
        application=JAR,
        java_class="org.resnetspark.cli.Main",
        conn_id="spark_default",
        deploy_mode="client",
        conf=spark_properties(),
        application_args=["export", "--model_dir", MODEL_DIR, "--export_dir", MODEL_DIR + "/export",
                          "--checkpoint", "best", "--overwrite"],
        execution_timeout=timedelta(hours=1),
    )

    # exit 3 = not better: the task is marked skipped (production unchanged), not failed
    promote = BashOperator(
        task_id="promote",
        bash_command=(
            "${SPARK_HOME:+$SPARK_HOME/bin/}spark-submit --master 'local[1]' --class org.resnetspark.cli.Main "
            + JAR + " promote --candidate " + MODEL_DIR + " --production " + var("resnet_production")
            + " --metric top_1 --min_delta 0.001"
        ),
        skip_on_exit_code=3,
        retries=0,
    )

    train >> export >> promote
