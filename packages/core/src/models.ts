/** What Bulwark reads from a Claude model id such as `claude-sonnet-4-5-20250929`. */
export interface ModelInfo {
  /** The id as given. */
  id: string;
  /** `opus`, `sonnet` or `haiku`. */
  tier: 'opus' | 'sonnet' | 'haiku';
  major: number;
  /** The minor version; 0 when the id has none (`claude-opus-5`). */
  minor: number;
  /**
   * The rate-limit pool and calibration family: tier and major version, such as
   * `claude-sonnet-4` (the API shares one limit across the Sonnet 4.x models) or, for the
   * older naming, `claude-3-5-sonnet`.
   */
  modelClass: string;
}

const currentNaming = /^claude-(opus|sonnet|haiku)-(\d+)(?:-(\d{1,2}))?(?:-\d{8}|-latest)?$/;
const legacyNaming = /^claude-(\d+)(?:-(\d{1,2}))?-(opus|sonnet|haiku)(?:-\d{8}|-latest)?$/;

/** Parses a Claude model id; `undefined` for ids that follow neither naming scheme. */
export function parseModelId(model: string): ModelInfo | undefined {
  const current = currentNaming.exec(model);
  if (current) {
    const tier = current[1] as ModelInfo['tier'];
    const major = Number(current[2]);
    return {
      id: model,
      tier,
      major,
      minor: current[3] ? Number(current[3]) : 0,
      modelClass: `claude-${tier}-${major}`,
    };
  }
  const legacy = legacyNaming.exec(model);
  if (legacy) {
    const tier = legacy[3] as ModelInfo['tier'];
    const major = Number(legacy[1]);
    const minor = legacy[2] ? Number(legacy[2]) : 0;
    return {
      id: model,
      tier,
      major,
      minor,
      modelClass: minor === 0 ? `claude-${major}-${tier}` : `claude-${major}-${minor}-${tier}`,
    };
  }
  return undefined;
}

/** The model class of a model id (see `ModelInfo.modelClass`), or `undefined` if unknown. */
export function modelClassOf(model: string): string | undefined {
  return parseModelId(model)?.modelClass;
}

/**
 * Whether the API accepts a trailing assistant turn (prefill) for `model`: models up to
 * Claude 4.5 do; Claude 4.6 and later answer 400 ("does not support assistant message
 * prefill"). Unknown ids are assumed not to, which is the safe choice for resuming.
 */
export function modelAcceptsPrefill(model: string): boolean {
  const info = parseModelId(model);
  if (!info) return false;
  return info.major < 4 || (info.major === 4 && info.minor <= 5);
}
