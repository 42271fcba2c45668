package dev.landfall.common;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/** Makes sure declared buckets and tables exist: creates them in {@code create} mode, only reports them in {@code verify} mode. */
public final class StorageProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(StorageProvisioner.class);

    public enum Mode { CREATE, VERIFY }

    private final S3Client s3;
    private final DynamoDbClient dynamoDb;
    private final SqsClient sqs;
    private final Mode mode;
    private final Supplier<? extends Collection<StorageSpec>> specs;
    private int maxReceives = DEFAULT_MAX_RECEIVES;

    /** A message received this often without being deleted moves to the queue's dead-letter queue. */
    public static final int DEFAULT_MAX_RECEIVES = 5;
    /** Each queue's dead-letter queue: its name plus this. */
    public static final String DLQ_SUFFIX = "-dlq";

    public StorageProvisioner(S3Client s3, DynamoDbClient dynamoDb, Mode mode, List<StorageSpec> specs) {
        this(s3, dynamoDb, null, mode, specs);
    }

    public StorageProvisioner(S3Client s3, DynamoDbClient dynamoDb, SqsClient sqs, Mode mode, List<StorageSpec> specs) {
        this(s3, dynamoDb, sqs, mode, () -> specs);
    }

    /** @param specs asked on every pass, so that each pipeline's StorageSpec bean (found in the registry) is included */
    public StorageProvisioner(S3Client s3, DynamoDbClient dynamoDb, SqsClient sqs, Mode mode,
                              Supplier<? extends Collection<StorageSpec>> specs) {
        this.s3 = s3;
        this.dynamoDb = dynamoDb;
        this.sqs = sqs;
        this.mode = mode;
        this.specs = specs;
    }

    /** How often a queue's message may be received before SQS moves it to the dead-letter queue (redrive policy). */
    public StorageProvisioner maxReceives(int maxReceives) {
        this.maxReceives = maxReceives;
        return this;
    }

    public Mode mode() {
        return mode;
    }

    /** Returns what is still missing after this pass (empty when all is in place). */
    public List<String> ensure() {
        List<String> missing = new ArrayList<>();
        for (StorageSpec spec : List.copyOf(specs.get())) {
            for (String bucket : spec.buckets()) {
                if (!bucketExists(bucket)) {
                    if (mode == Mode.CREATE) {
                        createBucket(bucket);
                    } else {
                        missing.add("S3 bucket '" + bucket + "'");
                    }
                }
            }
            for (StorageSpec.Table table : spec.tables()) {
                if (!tableExists(table.name())) {
                    if (mode == Mode.CREATE) {
                        createTable(table);
                    } else {
                        missing.add("DynamoDB table '" + table.name() + "' (hash key " + table.hashKey()
                                + (table.rangeKey() == null ? "" : ", range key " + table.rangeKey()) + ")");
                    }
                }
            }
            for (String queue : spec.queues()) {
                Optional<String> url = queueUrl(queue);
                if (url.isEmpty()) {
                    if (mode == Mode.CREATE) {
                        createQueue(queue);
                    } else {
                        missing.add("SQS queue '" + queue + "' (with a redrive policy to a dead-letter queue)");
                    }
                } else if (redrivePolicy(url.get()) == null) {
                    if (mode == Mode.CREATE) {
                        setRedrive(queue, url.get());
                    } else {
                        missing.add("a redrive policy (dead-letter queue) on SQS queue '" + queue + "'");
                    }
                }
            }
        }
        if (!missing.isEmpty()) {
            LOG.error("Missing storage, create it before Landfall can land data: {}", String.join("; ", missing));
        }
        return missing;
    }

    private boolean bucketExists(String bucket) {
        try {
            s3.headBucket(b -> b.bucket(bucket));
            return true;
        } catch (NoSuchBucketException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private Optional<String> queueUrl(String queue) {
        try {
            return Optional.of(sqs.getQueueUrl(b -> b.queueName(queue)).queueUrl());
        } catch (QueueDoesNotExistException e) {
            return Optional.empty();
        }
    }

    /** The queue and its dead-letter queue; a message received maxReceives times without being deleted moves there. */
    private void createQueue(String queue) {
        String url = sqs.createQueue(b -> b.queueName(queue)).queueUrl();
        setRedrive(queue, url);
        LOG.info("Created SQS queue {} (dead-letter queue {}{} after {} receives)", queue, queue, DLQ_SUFFIX, maxReceives);
    }

    /** Makes (or finds: CreateQueue is idempotent) the dead-letter queue and points the queue's redrive policy at it. */
    private void setRedrive(String queue, String url) {
        String dlqUrl = sqs.createQueue(b -> b.queueName(queue + DLQ_SUFFIX)).queueUrl();
        String arn = sqs.getQueueAttributes(b -> b.queueUrl(dlqUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        String policy = "{\"deadLetterTargetArn\":\"" + arn + "\",\"maxReceiveCount\":\"" + maxReceives + "\"}";
        sqs.setQueueAttributes(b -> b.queueUrl(url).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY, policy)));
    }

    /** The queue's redrive policy (JSON), or null. */
    private String redrivePolicy(String url) {
        return sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(QueueAttributeName.REDRIVE_POLICY))
                .attributes().get(QueueAttributeName.REDRIVE_POLICY);
    }

    private void createBucket(String bucket) {
        try {
            s3.createBucket(b -> b.bucket(bucket));
            LOG.info("Created S3 bucket {}", bucket);
        } catch (BucketAlreadyOwnedByYouException e) {
            // created by a replica starting at the same time
        }
    }

    private boolean tableExists(String name) {
        try {
            dynamoDb.describeTable(b -> b.tableName(name));
            return true;
        } catch (ResourceNotFoundException e) {
            return false;
        }
    }

    private void createTable(StorageSpec.Table t) {
        List<AttributeDefinition> attrs = new ArrayList<>();
        List<KeySchemaElement> keys = new ArrayList<>();
        attrs.add(AttributeDefinition.builder().attributeName(t.hashKey()).attributeType(ScalarAttributeType.S).build());
        keys.add(KeySchemaElement.builder().attributeName(t.hashKey()).keyType(KeyType.HASH).build());
        if (t.rangeKey() != null) {
            attrs.add(AttributeDefinition.builder().attributeName(t.rangeKey()).attributeType(ScalarAttributeType.S).build());
            keys.add(KeySchemaElement.builder().attributeName(t.rangeKey()).keyType(KeyType.RANGE).build());
        }
        try {
            dynamoDb.createTable(b -> b.tableName(t.name()).attributeDefinitions(attrs).keySchema(keys)
                    .billingMode(BillingMode.PAY_PER_REQUEST));
            dynamoDb.waiter().waitUntilTableExists(b -> b.tableName(t.name()));
            if (t.ttlAttribute() != null) {
                dynamoDb.updateTimeToLive(b -> b.tableName(t.name())
                        .timeToLiveSpecification(s -> s.enabled(true).attributeName(t.ttlAttribute())));
            }
            LOG.info("Created DynamoDB table {}", t.name());
        } catch (ResourceInUseException e) {
            // created by a replica starting at the same time
        }
    }
}
