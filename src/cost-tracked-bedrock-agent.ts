import { Aws, CfnOutput, Duration, Stack, Tags, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AgentFunction } from './agent-function';
import { BedrockModel } from './bedrock-model';
import { CostAllocationTagActivation, CostAllocationTagActivationOptions } from './cost-allocation-tag-activation';
import { APPLICATION_TAG_KEY, COST_CENTER_TAG_KEY, CostAllocationTags, ENVIRONMENT_TAG_KEY } from './cost-allocation-tags';
import { CostAnomalyAlert, CostAnomalyAlertOptions } from './cost-anomaly-alert';
import { CostBudget, CostBudgetOptions } from './cost-budget';
import { CostTrackedInferenceProfile } from './cost-tracked-inference-profile';
import { ModelPricing } from './estimated-cost';
import { validateModelPricing } from './private/model-pricing';
import { usageDashboardRows } from './private/usage-dashboard';
import { checkFraction, checkIntegerRange, isConcrete, throwInvalidProp } from './private/validation';
import { buildCostExplorerUrl, consoleDomainForRegion } from './shared/cost-explorer-url';
import { UsageAlarms, UsageAlarmsOptions } from './usage-alarms';

/** Properties of a {@link CostTrackedBedrockAgent}. */
export interface CostTrackedBedrockAgentProps {
  /**
   * The foundation model or system-defined cross-Region profile that the agent's inference
   * profile copies.
   */
  readonly model: BedrockModel;

  /**
   * Cost allocation tags that AWS billing reports the agent's model usage under.
   */
  readonly costAllocationTags: CostAllocationTags;

  /**
   * Name of the application inference profile. See
   * {@link CostTrackedInferenceProfileProps.inferenceProfileName} for the rules.
   *
   * @default - a name derived from the stack name, the construct path, the model and the
   * description
   */
  readonly inferenceProfileName?: string;

  /**
   * Description of the application inference profile. See
   * {@link CostTrackedInferenceProfileProps.description} for the rules.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * System prompt of the agent, at most 2,048 bytes in UTF-8, because Lambda limits all
   * environment variables of a function to 4 KB together.
   *
   * @default - a prompt that presents the agent as this application's cost assistant and
   * instructs it to use its tools
   */
  readonly systemPrompt?: string;

  /**
   * Maximum number of tool rounds in one invocation, from 1 to 20. When the model still requests
   * tools after that, the agent replies that the limit was reached.
   *
   * @default 5
   */
  readonly maxToolRounds?: number;

  /**
   * Maximum number of tokens that the model may generate in one Converse response, from 1 to 8192.
   * Keep it within the model's own output limit, or Bedrock rejects the request.
   *
   * @default 2048
   */
  readonly maxOutputTokens?: number;

  /**
   * Sampling temperature from 0 to 1. The agent leaves it out for models that reject it, and for
   * Claude 4 models it sends only one of `temperature` and `topP`, because they reject both.
   *
   * @default - the model's default
   */
  readonly temperature?: number;

  /**
   * Nucleus sampling value (`topP`) from 0 to 1. See `temperature` for the models that reject it.
   *
   * @default - the model's default
   */
  readonly topP?: number;

  /**
   * Timeout of the agent function, from 10 seconds to 15 minutes. One tool round costs one model
   * call, so allow several model latencies.
   *
   * @default Duration.minutes(2)
   */
  readonly timeout?: Duration;

  /**
   * Memory of the agent function, in MiB, from 128 to 10240.
   *
   * @default 512
   */
  readonly memorySize?: number;

  /**
   * How long the agent function's logs are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Whether the agent function logs the prompt and the answer text of each invocation. Turn it on
   * only where the logs may hold what users type.
   *
   * @default false
   */
  readonly logConversationText?: boolean;

  /**
   * Name of the CloudWatch dashboard: up to 255 letters, digits, `-` and `_`.
   *
   * @default - a name that CloudFormation generates
   */
  readonly dashboardName?: string;

  /**
   * A monthly AWS Budgets budget for the application's cost, selected by one cost allocation tag,
   * with notifications by email or SNS. See {@link CostBudget}.
   *
   * @default - no budget
   */
  readonly budget?: CostBudgetOptions;

  /**
   * AWS Cost Anomaly Detection for the application's cost, with alerts by email or SNS. See
   * {@link CostAnomalyAlert}.
   *
   * @default - no anomaly detection
   */
  readonly anomalyAlert?: CostAnomalyAlertOptions;

  /**
   * CloudWatch alarms on the profile's throttles and server errors, the function's errors and,
   * with `maxTokensPerHour`, the token rate. See {@link UsageAlarms}.
   *
   * @default - no alarms
   */
  readonly alarms?: UsageAlarmsOptions;

  /**
   * Activates the cost allocation tag keys with a custom resource that reports the state in a stack
   * output instead of failing the deployment when a key cannot be activated yet. Pass `{}` to turn it on. It works only in the
   * management account of an organization or in a standalone account. See
   * {@link CostAllocationTagActivation}.
   *
   * @default - the keys are not activated; activate them in the Billing console
   */
  readonly costAllocationTagActivation?: CostAllocationTagActivationOptions;

  /**
   * List prices of the model per million tokens. With them, the dashboard shows the cost estimated
   * from the token metrics, labelled as a list-price estimate. See {@link EstimatedCost}.
   *
   * @default - no estimated cost on the dashboard
   */
  readonly modelPricing?: ModelPricing;
}

const MAX_SYSTEM_PROMPT_BYTES = 2048;
/** Bedrock accepts at most 16 request-metadata entries, and one is kept for the caller. */
const MAX_METADATA_TAGS = 15;
const CALLER_METADATA_KEY = 'caller';
const MAX_DASHBOARD_NAME_LENGTH = 255;
const DASHBOARD_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
const MIN_TIMEOUT_SECONDS = 10;
const MAX_TIMEOUT_SECONDS = 900;

/**
 * A Bedrock agent whose model usage is billed under cost allocation tags.
 *
 * It creates a tagged application inference profile and an agent Lambda function (Node.js 22,
 * arm64). The function runs Bedrock's Converse tool-use loop through the profile, with tools for
 * cost questions. Its IAM role may invoke the model only through the profile and carries the same
 * cost allocation tags, so that Bedrock's attribution of cost to the calling IAM principal reports
 * the same tags. A CloudWatch dashboard shows the profile's usage.
 *
 * Optional parts warn before the bill arrives: a budget, anomaly detection, usage alarms, the
 * activation of the tag keys and a list-price cost estimate on the dashboard.
 */
export class CostTrackedBedrockAgent extends Construct {
  /** The tagged application inference profile that the agent invokes the model through. */
  public readonly inferenceProfile: CostTrackedInferenceProfile;

  /** The agent Lambda function. Invoke it with `{"prompt": "..."}`. */
  public readonly agentFunction: lambda.Function;

  /** The log group of the agent function. */
  public readonly logGroup: logs.LogGroup;

  /** The CloudWatch dashboard of the profile's and the function's usage. */
  public readonly dashboard: cloudwatch.Dashboard;

  /**
   * A Cost Explorer console link filtered by the cost allocation tags and grouped by service.
   * It opens with the console's default date range; the agent's `get_cost_explorer_link` tool
   * builds the same link for the current month.
   */
  public readonly costExplorerUrl: string;

  /**
   * The budget, when `budget` is set.
   *
   * @default - undefined without `budget`
   */
  public readonly budget?: CostBudget;

  /**
   * The anomaly monitor and its subscriptions, when `anomalyAlert` is set.
   *
   * @default - undefined without `anomalyAlert`
   */
  public readonly anomalyAlert?: CostAnomalyAlert;

  /**
   * The usage alarms, when `alarms` is set. Add actions through its alarm attributes.
   *
   * @default - undefined without `alarms`
   */
  public readonly alarms?: UsageAlarms;

  /**
   * The tag key activation, when `costAllocationTagActivation` is set.
   *
   * @default - undefined without `costAllocationTagActivation`
   */
  public readonly costAllocationTagActivation?: CostAllocationTagActivation;

  constructor(scope: Construct, id: string, props: CostTrackedBedrockAgentProps) {
    super(scope, id);

    this.validateProps(props);

    this.inferenceProfile = new CostTrackedInferenceProfile(this, 'InferenceProfile', {
      model: props.model,
      costAllocationTags: props.costAllocationTags,
      inferenceProfileName: props.inferenceProfileName,
      description: props.description,
    });
    const tags = this.inferenceProfile.costAllocationTags;
    this.costExplorerUrl = costExplorerUrlFor(this, tags);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    // A role of its own instead of AWSLambdaBasicExecutionRole, whose log permissions cover every
    // log group in the account.
    const role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Agent function role: writes its own logs and invokes the model through the cost-tracked inference profile',
    });
    this.logGroup.grantWrite(role);
    tagPrincipalForCostAttribution(role, tags);

    this.agentFunction = new AgentFunction(this, 'Function', {
      description: 'Bedrock Converse agent that answers cost questions for its cost allocation tags',
      role,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout ?? Duration.minutes(2),
      memorySize: props.memorySize ?? 512,
      logGroup: this.logGroup,
      environment: {
        BEDROCK_MODEL_ID: this.inferenceProfile.inferenceProfileArn,
        FOUNDATION_MODEL_ID: props.model.foundationModelId ?? props.model.modelId,
        COST_ALLOCATION_TAGS: Stack.of(this).toJsonString(tags),
        MAX_TOOL_ROUNDS: String(props.maxToolRounds ?? 5),
        MAX_OUTPUT_TOKENS: String(props.maxOutputTokens ?? 2048),
        ...(props.temperature !== undefined ? { TEMPERATURE: String(props.temperature) } : {}),
        ...(props.topP !== undefined ? { TOP_P: String(props.topP) } : {}),
        POWERTOOLS_SERVICE_NAME: 'cost-tracked-bedrock-agent',
        ...(props.systemPrompt !== undefined ? { SYSTEM_PROMPT: props.systemPrompt } : {}),
        ...(props.logConversationText ? { LOG_CONVERSATION_TEXT: 'true' } : {}),
      },
    });
    this.inferenceProfile.grantInvoke(this.agentFunction);
    // The get_cost_summary tool reads the application's cost. GetCostAndUsage's only resource type
    // is an optional billing view, and the tool queries the account's default view, so the
    // statement names every resource ("*"). Source: Service Authorization Reference,
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscostexplorerservice.html
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ce:GetCostAndUsage'],
      resources: ['*'],
    }));

    if (props.alarms !== undefined) {
      this.alarms = new UsageAlarms(this, 'Alarms', {
        ...props.alarms,
        inferenceProfile: this.inferenceProfile,
        agentFunction: this.agentFunction,
      });
    }
    if (props.budget !== undefined) {
      this.budget = new CostBudget(this, 'Budget', { ...props.budget, costAllocationTags: tags });
    }
    if (props.anomalyAlert !== undefined) {
      this.anomalyAlert = new CostAnomalyAlert(this, 'AnomalyAlert', { ...props.anomalyAlert, costAllocationTags: tags });
    }
    if (props.costAllocationTagActivation !== undefined) {
      this.costAllocationTagActivation = new CostAllocationTagActivation(this, 'CostAllocationTagActivation', {
        ...props.costAllocationTagActivation,
        tagKeys: Object.keys(tags),
      });
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: usageDashboardRows({
        profile: this.inferenceProfile,
        agentFunction: this.agentFunction,
        tags,
        costExplorerUrl: this.costExplorerUrl,
        pricing: props.modelPricing,
        alarms: this.alarms?.alarms,
      }),
    });

    new CfnOutput(this, 'InferenceProfileArn', {
      description: 'ARN of the cost-tracked application inference profile; pass it as modelId',
      value: this.inferenceProfile.inferenceProfileArn,
    });
    new CfnOutput(this, 'AgentFunctionName', {
      description: 'Name of the agent Lambda function; invoke it with {"prompt": "..."}',
      value: this.agentFunction.functionName,
    });
    new CfnOutput(this, 'DashboardUrl', {
      description: 'CloudWatch dashboard of the profile usage',
      value: dashboardUrl(this, props.dashboardName ?? this.dashboard.dashboardName),
    });
    new CfnOutput(this, 'CostExplorerUrl', {
      description: 'Cost Explorer filtered by the cost allocation tags, grouped by service',
      value: this.costExplorerUrl,
    });
  }

  /**
   * Checks that the tags fit in the request metadata of each Converse call, next to the caller:
   * Bedrock accepts at most 16 entries, and the agent keeps the key `caller` for the caller.
   */
  private validateRequestMetadataTags(tags: CostAllocationTags | undefined): void {
    if (tags === undefined) {
      return;
    }
    const keys = [
      APPLICATION_TAG_KEY,
      ...(tags.environment !== undefined ? [ENVIRONMENT_TAG_KEY] : []),
      ...(tags.costCenter !== undefined ? [COST_CENTER_TAG_KEY] : []),
      ...Object.keys(tags.additionalTags ?? {}),
    ];
    if (keys.length > MAX_METADATA_TAGS) {
      throwInvalidProp(this, 'costAllocationTags', `${keys.length} tags`,
        `the agent sends the tags as Converse request metadata, which holds at most ${MAX_METADATA_TAGS} tags next to the caller`,
        `keep at most ${MAX_METADATA_TAGS} tags, or tag the profile alone with CostTrackedInferenceProfile`);
    }
    const reserved = keys.find((key) => !Token.isUnresolved(key) && key.toLowerCase() === CALLER_METADATA_KEY);
    if (reserved !== undefined) {
      throwInvalidProp(this, 'costAllocationTags.additionalTags', reserved,
        `the request metadata key "${CALLER_METADATA_KEY}" carries the caller of each request`,
        'rename the tag key');
    }
  }

  private validateProps(props: CostTrackedBedrockAgentProps): void {
    checkIntegerRange(this, 'maxToolRounds', props.maxToolRounds, 1, 20, 'rounds');
    checkIntegerRange(this, 'maxOutputTokens', props.maxOutputTokens, 1, 8192, 'tokens');
    checkIntegerRange(this, 'memorySize', props.memorySize, 128, 10240, 'MiB');

    checkFraction(this, 'temperature', props.temperature);
    checkFraction(this, 'topP', props.topP);
    this.validateRequestMetadataTags(props.costAllocationTags);

    if (props.timeout !== undefined && !props.timeout.isUnresolved()) {
      if (props.timeout.toMilliseconds() % 1000 !== 0) {
        throwInvalidProp(this, 'timeout', props.timeout.toHumanString(),
          'Lambda timeouts are whole seconds', 'round the timeout to whole seconds');
      }
      const seconds = props.timeout.toSeconds();
      if (seconds < MIN_TIMEOUT_SECONDS || seconds > MAX_TIMEOUT_SECONDS) {
        throwInvalidProp(this, 'timeout', props.timeout.toHumanString(),
          `must be from ${MIN_TIMEOUT_SECONDS} seconds to 15 minutes`,
          'set a timeout within that range, with room for several model calls');
      }
    }

    if (isConcrete(props.systemPrompt)) {
      const bytes = Buffer.byteLength(props.systemPrompt, 'utf8');
      if (props.systemPrompt.trim().length === 0) {
        throwInvalidProp(this, 'systemPrompt', props.systemPrompt, 'must not be empty', 'write a prompt, or leave systemPrompt out for the default one');
      }
      if (bytes > MAX_SYSTEM_PROMPT_BYTES) {
        throwInvalidProp(this, 'systemPrompt', props.systemPrompt,
          `has ${bytes} bytes in UTF-8, over the limit of ${MAX_SYSTEM_PROMPT_BYTES}, because Lambda limits all environment variables to 4 KB together`,
          'shorten the prompt');
      }
    }

    if (props.modelPricing !== undefined) {
      validateModelPricing(this, 'modelPricing', props.modelPricing);
    }

    const name = props.dashboardName;
    if (isConcrete(name)) {
      if (name.length < 1 || name.length > MAX_DASHBOARD_NAME_LENGTH || !DASHBOARD_NAME_PATTERN.test(name)) {
        throwInvalidProp(this, 'dashboardName', name,
          `must have 1 to ${MAX_DASHBOARD_NAME_LENGTH} characters from A-Z, a-z, 0-9, "-" and "_"`,
          'replace other characters with "-", or leave dashboardName out for a generated name');
      }
    }
  }
}

/**
 * Tags the agent's role with the cost allocation tags. Bedrock attributes inference cost to the
 * calling IAM principal and reports that principal's tags in Cost Explorer and CUR 2.0, so the
 * role's tags agree with the profile's tags on the same calls.
 * Source: https://docs.aws.amazon.com/bedrock/latest/userguide/cost-mgmt-iam-principal-tracking.html
 */
function tagPrincipalForCostAttribution(role: iam.Role, tags: Record<string, string>): void {
  for (const key of Object.keys(tags)) {
    Tags.of(role).add(key, tags[key]);
  }
}

/**
 * Builds the Cost Explorer link with the shared builder. Unresolved tokens cannot be
 * percent-encoded, so a placeholder of unreserved characters, which encoding leaves alone,
 * replaces each token before encoding, and the token replaces the placeholder afterwards.
 */
function costExplorerUrlFor(scope: Construct, tags: Record<string, string>): string {
  const tokens = new Map<string, string>();
  const literal = (text: string): string => {
    if (!Token.isUnresolved(text)) {
      return text;
    }
    const placeholder = `CDKTOKEN${tokens.size}X`;
    tokens.set(placeholder, text);
    return placeholder;
  };

  const literalTags: Record<string, string> = {};
  for (const key of Object.keys(tags)) {
    literalTags[literal(key)] = literal(tags[key]);
  }

  let url = buildCostExplorerUrl({ tags: literalTags, region: concreteRegion(scope) });
  for (const [placeholder, text] of tokens) {
    url = url.split(placeholder).join(text);
  }
  return url;
}

function dashboardUrl(scope: Construct, dashboardName: string): string {
  const region = concreteRegion(scope);
  const domain = consoleDomainForRegion(region);
  const regionText = region ?? Aws.REGION;
  return `https://${domain}/cloudwatch/home?region=${regionText}#dashboards:name=${dashboardName}`;
}

/**
 * Returns the stack's region when it is known at synth time.
 *
 * NOTE: an environment-agnostic stack gets links to the commercial partition's console.
 */
function concreteRegion(scope: Construct): string | undefined {
  const region = Stack.of(scope).region;
  return Token.isUnresolved(region) ? undefined : region;
}
