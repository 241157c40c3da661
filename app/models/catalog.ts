/**
 * ListFoundationModels / GetFoundationModel, in Bedrock's shapes, built from the
 * upstream's GET /models (cached) plus the MODEL_MAP aliases.
 */
import type { FoundationModelSummary } from '@aws-sdk/client-bedrock';
import { notFound } from '../core/errors.ts';
import type { Model } from '../upstream/upstream.ts';
import { PROFILE_PREFIX } from './resolve.ts';

export interface CatalogOptions {
  readonly modelMap: Readonly<Record<string, string>>;
  readonly listUpstream: () => Promise<Model[]>;
  readonly cacheSeconds: number;
  readonly region: string;
  readonly now?: () => number;
}

export interface ListFilters {
  byProvider?: string;
  byOutputModality?: string;
  byInferenceType?: string;
  byCustomizationType?: string;
}

const PROVIDERS: Record<string, string> = {
  anthropic: 'Anthropic', amazon: 'Amazon', meta: 'Meta', mistral: 'Mistral AI', cohere: 'Cohere',
  ai21: 'AI21 Labs', deepseek: 'DeepSeek', openai: 'OpenAI', qwen: 'Qwen', writer: 'Writer',
};

function providerOf(modelId: string, ownedBy?: string): string {
  const bare = modelId.replace(PROFILE_PREFIX, '');
  const vendor = bare.includes('.') ? bare.slice(0, bare.indexOf('.')) : undefined;
  if (vendor && PROVIDERS[vendor]) return PROVIDERS[vendor];
  if (ownedBy && !/^(system|openai-internal|openai)$/.test(ownedBy)) return ownedBy;
  return 'OpenAI';
}

const isEmbedding = (name: string) => /embed/i.test(name);

function summary(modelId: string, upstreamName: string, region: string, ownedBy?: string): FoundationModelSummary {
  const embedding = isEmbedding(upstreamName) || isEmbedding(modelId);
  return {
    modelArn: `arn:aws:bedrock:${region}::foundation-model/${modelId}`,
    modelId,
    modelName: upstreamName,
    providerName: providerOf(modelId, ownedBy),
    inputModalities: embedding ? ['TEXT'] : ['TEXT', 'IMAGE'],
    outputModalities: embedding ? ['EMBEDDING'] : ['TEXT'],
    responseStreamingSupported: !embedding,
    customizationsSupported: [],
    inferenceTypesSupported: ['ON_DEMAND'],
    modelLifecycle: { status: 'ACTIVE' },
  };
}

export class ModelCatalog {
  private readonly options: CatalogOptions;
  private cached: { at: number; models: FoundationModelSummary[] } | undefined;
  private inflight: Promise<FoundationModelSummary[]> | undefined;

  private readonly now: () => number;

  constructor(options: CatalogOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  async list(filters: ListFilters = {}): Promise<FoundationModelSummary[]> {
    const all = await this.all();
    return all.filter((model) => matches(model, filters));
  }

  async get(modelIdentifier: string): Promise<FoundationModelSummary> {
    const all = await this.all();
    const found = all.find((m) => m.modelId === modelIdentifier || m.modelArn === modelIdentifier);
    if (!found) throw notFound(`The model ${modelIdentifier} was not found.`);
    return found;
  }

  private async all(): Promise<FoundationModelSummary[]> {
    const now = this.now();
    if (this.cached && now - this.cached.at < this.options.cacheSeconds * 1000) return this.cached.models;
    // One upstream call at a time; concurrent callers share it, so it follows no single caller's abort signal.
    this.inflight ??= this.load().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async load(): Promise<FoundationModelSummary[]> {
    const { modelMap, region } = this.options;
    const upstream = await this.options.listUpstream();
    const models: FoundationModelSummary[] = [];
    for (const [alias, target] of Object.entries(modelMap)) models.push(summary(alias, target, region));
    for (const model of upstream) {
      if (modelMap[model.id] === undefined) models.push(summary(model.id, model.id, region, model.owned_by));
    }
    models.sort((a, b) => (a.modelId ?? '').localeCompare(b.modelId ?? ''));
    this.cached = { at: this.now(), models };
    return models;
  }
}

function matches(model: FoundationModelSummary, filters: ListFilters): boolean {
  if (filters.byProvider && model.providerName?.toLowerCase() !== filters.byProvider.toLowerCase()) return false;
  if (filters.byOutputModality && !model.outputModalities?.includes(filters.byOutputModality as never)) return false;
  if (filters.byInferenceType && !model.inferenceTypesSupported?.includes(filters.byInferenceType as never)) return false;
  if (filters.byCustomizationType) return false; // no model here supports customization
  return true;
}
