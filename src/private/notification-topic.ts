import { Annotations, CfnResource, Names, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { throwInvalidProp } from './validation';

/**
 * Email addresses that Cost Explorer accepts for an anomaly subscriber (the `Address` pattern of
 * AWS::CE::AnomalySubscription Subscriber), applied to budget subscribers as well so that one
 * address list works for both.
 */
const EMAIL_PATTERN = /^[a-zA-Z0-9.!#$%&'*+=?^_`{|}~-]+@[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)+$/;

/**
 * Checks a list of email subscribers: each a valid address, no address twice (compared without
 * case), and at most `maxCount` addresses. Unresolved tokens are passed through unchecked.
 */
export function validateEmailAddresses(scope: IConstruct, prop: string, addresses: string[] | undefined, maxCount?: number): void {
  if (addresses === undefined || Token.isUnresolved(addresses)) {
    return;
  }
  if (maxCount !== undefined && addresses.length > maxCount) {
    throwInvalidProp(scope, prop, addresses, `has ${addresses.length} addresses, over the limit of ${maxCount}`, 'send to fewer addresses, or to an SNS topic that forwards to more');
  }

  const seen = new Set<string>();
  addresses.forEach((address, index) => {
    if (Token.isUnresolved(address)) {
      return;
    }
    if (!EMAIL_PATTERN.test(address)) {
      throwInvalidProp(scope, `${prop}[${index}]`, address, 'is not a valid email address', 'write it as name@example.com, without spaces or display names');
    }
    const normalized = address.toLowerCase();
    if (seen.has(normalized)) {
      throwInvalidProp(scope, `${prop}[${index}]`, address, 'repeats an earlier address', 'list each address once');
    }
    seen.add(normalized);
  });
}

/** Inputs of {@link resolveNotificationTopic}. */
export interface NotificationTopicChoice {
  readonly notificationTopic?: sns.ITopic;
  readonly createNotificationTopic?: boolean;
  /** Display name of a created topic. */
  readonly displayName: string;
}

/**
 * Returns the topic that a construct notifies: the given one, a new one when
 * `createNotificationTopic` is true, or undefined. Rejects both at once.
 */
export function resolveNotificationTopic(scope: Construct, choice: NotificationTopicChoice): sns.ITopic | undefined {
  if (choice.notificationTopic !== undefined && choice.createNotificationTopic) {
    throwInvalidProp(scope, 'createNotificationTopic', true, 'a notificationTopic is given as well, and only one topic can be notified',
      'remove notificationTopic to get a new topic, or remove createNotificationTopic to use the given one');
  }
  if (choice.notificationTopic !== undefined) {
    return choice.notificationTopic;
  }
  if (choice.createNotificationTopic) {
    // enforceSSL adds a topic policy statement that denies sns:Publish without TLS (cdk-nag rule
    // AwsSolutions-SNS3).
    // NOTE: AWS does not document the transport that AWS Budgets and Cost Explorer publish over. The
    // deny assumes HTTPS, like every AWS API call, and no deployment has checked it yet.
    return new sns.Topic(scope, 'NotificationTopic', { displayName: choice.displayName, enforceSSL: true });
  }
  return undefined;
}

/** A service principal's permission to publish to a topic. */
export interface ServicePublishGrant {
  /** Service principal, for example `budgets.amazonaws.com`. */
  readonly service: string;
  /** Prefix of the statement id. The construct's unique id follows, so that several grants on one topic differ. */
  readonly sidPrefix: string;
  readonly conditions: Record<string, Record<string, unknown>>;
}

/**
 * Lets an AWS service publish to `topic` through the topic's resource policy. An imported topic
 * has no policy that the CDK can change, so the construct warns and the owner must add the
 * statement to the topic's policy by hand.
 */
export function allowServiceToPublish(scope: Construct, topic: sns.ITopic, grant: ServicePublishGrant): void {
  const result = topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: `${grant.sidPrefix}${Names.uniqueId(scope)}`.slice(0, 128),
    principals: [new iam.ServicePrincipal(grant.service)],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: grant.conditions,
  }));
  if (!result.statementAdded) {
    Annotations.of(scope).addWarningV2('cdk-bedrock-cost-tracking:topicPolicyNotChanged',
      `The topic ${topic.node.path} is imported, so its policy cannot be changed here. Allow ${grant.service} to call sns:Publish on it, or notifications will not arrive.`);
  }
}

/**
 * Makes `resource` wait for the topic's policy, because AWS Budgets and Cost Explorer check that
 * they may publish to the topic when they create their resource. The Ref to the topic already
 * orders the topic itself. `Topic.addToResourcePolicy` creates the policy as the topic's child
 * "Policy" (aws-cdk-lib 2.168); an imported topic has none.
 */
export function dependOnTopicPolicy(resource: CfnResource, topic: sns.ITopic): void {
  const policy = topic.node.tryFindChild('Policy');
  if (policy !== undefined) {
    resource.node.addDependency(policy);
  }
}
