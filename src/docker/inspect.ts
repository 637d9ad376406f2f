/**
 * The JSON docker prints (`docker container inspect`, `image inspect`, `service inspect`, `info`),
 * as far as Slipway reads it: one home for these external shapes, so every reader means the same
 * fields. Only what some reader uses is declared; docker prints more.
 */

export interface HealthState {
  readonly Status: string;
  readonly Log?: ReadonlyArray<{ readonly Output: string; readonly ExitCode: number }>;
}

export interface ContainerState {
  readonly Status: string;
  readonly Running: boolean;
  readonly ExitCode: number;
  readonly StartedAt: string;
  readonly FinishedAt: string;
  readonly Health?: HealthState;
}

/** One element of `docker container inspect`. */
export interface ContainerInspect {
  readonly Id: string;
  /** With a leading slash: `/name`. */
  readonly Name: string;
  /** The image's id. */
  readonly Image: string;
  readonly Config: {
    /** The image as the container was created with it (a reference). */
    readonly Image: string;
    readonly Labels?: Readonly<Record<string, string>>;
    readonly Healthcheck?: { readonly Test?: readonly string[] };
  };
  readonly NetworkSettings?: {
    readonly Networks?: Readonly<Record<string, { readonly IPAddress?: string }>>;
  };
  readonly HostConfig?: {
    readonly PortBindings?: Readonly<Record<string, ReadonlyArray<{ readonly HostPort?: string }> | null>>;
    readonly RestartPolicy?: { readonly Name?: string };
  };
  readonly State: ContainerState;
}

/** `docker image inspect --format '{{json .}}'`. */
export interface ImageInspect {
  readonly Id: string;
  readonly Os?: string;
  readonly Architecture?: string;
  readonly Variant?: string;
  readonly Size: number;
  readonly RepoDigests?: readonly string[];
  readonly RootFS?: { readonly Layers?: readonly string[] };
}

/** One element of `docker service inspect`. */
export interface ServiceInspect {
  readonly Spec: {
    readonly Name: string;
    readonly Labels?: Readonly<Record<string, string>>;
    readonly Mode?: { readonly Replicated?: { readonly Replicas?: number }; readonly Global?: object };
    readonly TaskTemplate: { readonly ContainerSpec: { readonly Image: string } };
    readonly EndpointSpec?: { readonly Ports?: ReadonlyArray<{ readonly PublishedPort?: number }> };
  };
  readonly UpdateStatus?: { readonly State?: string; readonly Message?: string };
}

/** One config mounted into a service (`{{json .Spec.TaskTemplate.ContainerSpec.Configs}}`). */
export interface ServiceConfigMount {
  readonly ConfigName: string;
}

/** `docker info --format '{{json .Swarm}}'`. */
export interface SwarmInfo {
  readonly LocalNodeState?: string;
  readonly ControlAvailable?: boolean;
}

/** The container's name without docker's leading slash. */
export function containerName(c: Pick<ContainerInspect, 'Name'>): string {
  return c.Name.replace(/^\//, '');
}

/** One element of `docker network inspect`. */
export interface NetworkInspect {
  readonly Name?: string;
  readonly IPAM?: { readonly Config?: ReadonlyArray<{ readonly Subnet?: string }> | null };
}
