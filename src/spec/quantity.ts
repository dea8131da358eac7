import { MIN_MEMORY_MIB } from './tables.js';

/**
 * Kubernetes quantities as kit.yaml's `resources` takes them: a deliberate subset that converts
 * exactly into what Node (`--max-old-space-size`, in MiB) and docker compose (`mem_limit`, `cpus`)
 * take, so the three never disagree.
 */

/** A quantity that could not be read: what is wrong, and how to write it. */
export interface QuantityProblem {
  problem: string;
  hint: string;
}

const MAX_MEMORY_MIB = 64 * 1024;
const MAX_CPU_MILLIS = 64_000;

/** Memory in MiB from `256Mi` or `1Gi`; binary units only, as Kubernetes and Node count memory. */
export function parseMemory(value: unknown): { mib: number } | QuantityProblem {
  const written = typeof value === 'string' ? value.trim() : String(value);
  const match = /^(\d+)(Mi|Gi)$/.exec(written);
  if (!match) {
    const milli = /^(\d+)m$/i.exec(written);
    return {
      problem: `memory "${written}" is not a quantity this spec takes`,
      hint: milli
        ? `Kubernetes reads "m" as thousandths (of a byte); write ${milli[1]}Mi for ${milli[1]} MiB`
        : /^\d+$/.test(written)
          ? `a bare number is bytes; write it in Mi or Gi, e.g. ${Math.max(MIN_MEMORY_MIB, Math.round(Number(written) / 1_048_576))}Mi`
          : 'write a whole number of Mi or Gi (binary units, as Kubernetes and Node count memory), e.g. 256Mi or 1Gi',
    };
  }
  const mib = Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
  if (mib < MIN_MEMORY_MIB) {
    return { problem: `memory ${written} is too little for a Node service`, hint: `give it at least ${MIN_MEMORY_MIB}Mi: Node, its code and buffers take about 50 MiB beside the heap` };
  }
  if (mib > MAX_MEMORY_MIB) return { problem: `memory ${written} is more than ${MAX_MEMORY_MIB / 1024}Gi`, hint: 'run more replicas instead of one larger process' };
  return { mib };
}

/** CPU in millicores from `250m`, `0.5`, `"1"` or `2` (YAML reads the last as a number). */
export function parseCpu(value: unknown): { millis: number } | QuantityProblem {
  const written = typeof value === 'string' ? value.trim() : String(value);
  const millicores = /^(\d+)m$/.exec(written);
  const cores = /^(\d+)(?:\.(\d{1,3}))?$/.exec(written);
  const millis = millicores ? Number(millicores[1]) : cores ? Number(cores[1]) * 1000 + Number((cores[2] ?? '').padEnd(3, '0')) : undefined;
  if (millis === undefined) {
    return {
      problem: `cpu "${written}" is not a quantity this spec takes`,
      hint: /^\d*\.\d{4,}$/.test(written) ? 'Kubernetes counts CPU to the thousandth of a core: write e.g. 250m or 0.25' : 'write millicores (250m) or cores (0.5, 1, 2)',
    };
  }
  if (millis === 0) return { problem: 'cpu 0 gives the service no processor time', hint: 'write e.g. 250m (a quarter of a core)' };
  if (millis > MAX_CPU_MILLIS) return { problem: `cpu ${written} is more than ${MAX_CPU_MILLIS / 1000} cores`, hint: "Node runs JavaScript on one thread; run more replicas instead" };
  return { millis };
}
