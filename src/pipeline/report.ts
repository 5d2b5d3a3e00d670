/**
 * The QC report: orthogonal planes of the EM with the warped FM overlaid, the two
 * point clouds before and after registration, and the numbers (CPD diagnostics,
 * Dice of the warped FM mask against the EM mask, TRE against a truth file, stage
 * timings, peak memory) in `report/index.html` and `report/metrics.json`.
 * @module
 */
import * as path from "node:path";
import { applyTransform, loadTransform } from "../cpd/transform_io.ts";
import type { Config } from "../config/schema.ts";
import {
  type OmeImage,
  openImage,
  openLevel,
  type SpatialGridUm,
  spatialGridUm,
} from "../io/image.ts";
import { composite, scatter, toPng } from "../report/picture.ts";
import { reportHtml, type ReportTable } from "../report/html.ts";
import { nearestLateralLevel, type PipelineInputs } from "./inputs.ts";
import type { LabelsRef } from "./segment.ts";
import type { TransformFile } from "./transform_file.ts";
import { type TreNm, treNm } from "./tre.ts";

/** What the report is made from. */
export interface ReportInputs {
  inputs: PipelineInputs;
  emLabels: LabelsRef;
  fmCloud: Float64Array;
  emCloud: Float64Array;
  transform: TransformFile;
  outputPath: string;
  outputGrid: SpatialGridUm;
  config: Config;
  timings: Record<string, number>;
  truth?: string;
  startedMs: number;
  peakRssBytes?: number;
  /** Stages skipped because an earlier run had finished them. */
  reusedStages?: string[];
  /** TRE after each registration step (pass 1, FM-frame refinement, NCC), when a truth is given. */
  treNmBySteps?: Record<string, TreNm>;
}

/** Longest side of a report picture, in pixels. */
const pictureSize = 512;

/** A plane of an image level sampled (nearest) on a display grid in physical space. */
async function samplePlane(
  image: OmeImage,
  level: number,
  channel: number | undefined,
  axis: 0 | 1 | 2,
  positionUm: number,
  display: { origin: number[]; step: number[]; size: [number, number] },
): Promise<Float32Array> {
  const grid = spatialGridUm(image, level);
  const array = await openLevel(image, level);
  const inPlane = [0, 1, 2].filter((a) => a !== axis) as [number, number];
  const index = (a: number, um: number) =>
    Math.min(
      grid.shape[a]! - 1,
      Math.max(0, Math.round((um - grid.translation[a]!) / grid.scale[a]!)),
    );
  const fixed = index(axis, positionUm);
  const [rows, cols] = display.size;
  const start = [0, 0, 0];
  const stop = [0, 0, 0];
  start[axis] = fixed;
  stop[axis] = fixed + 1;
  for (const a of inPlane) {
    start[a] = 0;
    stop[a] = grid.shape[a]!;
  }
  const hasChannel = array.shape.length === 4;
  const box = hasChannel
    ? { start: [channel ?? 0, ...start], stop: [(channel ?? 0) + 1, ...stop] }
    : { start, stop };
  const plane = await array.readRegion(box);
  const out = new Float32Array(rows * cols);
  const width = grid.shape[inPlane[1]]!;
  for (let r = 0; r < rows; r++) {
    const i = index(inPlane[0], display.origin[0]! + r * display.step[0]!);
    for (let c = 0; c < cols; c++) {
      const j = index(inPlane[1], display.origin[1]! + c * display.step[1]!);
      out[r * cols + c] = plane[i * width + j]!;
    }
  }
  return out;
}

/**
 * Write `report/index.html`, its pictures and `report/metrics.json`.
 * @returns the path of `index.html`
 */
export async function writeReport(report: ReportInputs): Promise<string> {
  const folder = path.join(report.config.output.path, "report");
  await Deno.mkdir(folder, { recursive: true });
  const output = await openImage(report.outputPath);
  const labels = await openImage(path.join(report.outputPath, "labels", "fm_mitochondria"));
  const grid = report.outputGrid;
  const extent = grid.shape.map((n, a) => n * grid.scale[a]!);
  const step = Math.max(...extent) / pictureSize;
  const pictureLevel = nearestLateralLevel(output, step);
  const centre = grid.shape.map((n, a) => grid.translation[a]! + ((n - 1) / 2) * grid.scale[a]!);
  const figures = [];
  let diceInter = 0;
  let diceSum = 0;
  for (const [axis, name] of [[0, "z"], [1, "y"], [2, "x"]] as const) {
    const inPlane = [0, 1, 2].filter((a) => a !== axis);
    const size = inPlane.map((a) => Math.max(1, Math.round(extent[a]! / step))) as [number, number];
    const display = {
      origin: inPlane.map((a) => grid.translation[a]!),
      step: inPlane.map(() => step),
      size,
    };
    const emLevel = nearestLateralLevel(report.inputs.em, step);
    const em = await samplePlane(
      report.inputs.em,
      emLevel,
      undefined,
      axis,
      centre[axis]!,
      display,
    );
    const fm = await samplePlane(
      output,
      pictureLevel,
      report.inputs.fmChannel,
      axis,
      centre[axis]!,
      display,
    );
    const fmMask = await samplePlane(
      labels,
      Math.min(pictureLevel, labels.levels.length - 1),
      undefined,
      axis,
      centre[axis]!,
      display,
    );
    const emLabelLevel = nearestLateralLevel(report.emLabels.image, step);
    const emMask = await samplePlane(
      report.emLabels.image,
      emLabelLevel,
      undefined,
      axis,
      centre[axis]!,
      display,
    );
    for (let i = 0; i < fmMask.length; i++) {
      const a = fmMask[i]! > 0 ? 1 : 0;
      const b = emMask[i]! > 0 ? 1 : 0;
      diceInter += a * b;
      diceSum += a + b;
    }
    const file = `overlay_${name}.png`;
    await Deno.writeFile(
      path.join(folder, file),
      toPng(composite(size[1], size[0], em, [{ values: fm, colour: [0, 1, 0] }])),
    );
    figures.push({
      file,
      caption: `EM (grey) with warped FM channel "${
        report.inputs.fm.channelNames[report.inputs.fmChannel]
      }" (green), plane ${name} = ${centre[axis]!.toFixed(2)} µm`,
    });
  }
  const saved = loadTransform({
    method: report.transform.method,
    matrix: report.transform.fmToEm.matrix,
    ...(report.transform.nonrigid ? { deformation: report.transform.nonrigid.deformation } : {}),
  });
  const moved = applyTransform(saved, report.fmCloud);
  const project = (cloud: Float64Array, a: number, b: number) => {
    const out: [number, number][] = [];
    for (let i = 0; i < cloud.length; i += 3) out.push([cloud[i + a]!, cloud[i + b]!]);
    return out;
  };
  for (const [stage, cloud] of [["before", report.fmCloud], ["after", moved]] as const) {
    for (const [a, b, name] of [[1, 2, "yx"], [0, 2, "zx"]] as const) {
      const file = `points_${stage}_${name}.png`;
      await Deno.writeFile(
        path.join(folder, file),
        toPng(scatter([
          { points: project(report.emCloud, a, b), colour: [0.8, 0.1, 0.6] },
          { points: project(cloud, a, b), colour: [0.1, 0.6, 0.1] },
        ])),
      );
      figures.push({
        file,
        caption: `Point clouds ${stage} registration, ${name} projection: EM magenta, FM green`,
      });
    }
  }
  const metrics: Record<string, unknown> = {
    method: report.transform.method,
    cpd: report.transform.diagnostics,
    diceCentralPlanes: diceSum > 0 ? (2 * diceInter) / diceSum : null,
    timingsSeconds: report.timings,
    totalSeconds: (performance.now() - report.startedMs) / 1000,
    peakRssBytes: report.peakRssBytes ?? Deno.memoryUsage().rss,
    output: report.outputPath,
    reusedStages: report.reusedStages ?? [],
  };
  if (report.truth) {
    const tre = await treNm(report.transform, report.truth);
    if (tre) metrics.treNm = tre;
  }
  if (report.treNmBySteps) metrics.treNmBySteps = report.treNmBySteps;
  await Deno.writeTextFile(
    path.join(folder, "metrics.json"),
    JSON.stringify(metrics, null, 2) + "\n",
  );
  const tables: ReportTable[] = [
    {
      title: "Registration",
      rows: [
        ["method", report.transform.method],
        ["Dice, warped FM mask vs EM mask (3 central planes)", String(metrics.diceCentralPlanes)],
        ...(metrics.treNm
          ? Object.entries(metrics.treNm as Record<string, number | null>).map(([k, v]) =>
            [
              `TRE ${k}`,
              v === null ? "—" : k.endsWith("oints") ? String(v) : `${v.toFixed(1)} nm`,
            ] as [string, string]
          )
          : []),
        ...Object.entries(report.treNmBySteps ?? {}).map(([step, t]) =>
          [
            `TRE after ${step} (mitochondria / lysosomes)`,
            `${t.mitochondria.toFixed(1)} / ${t.lysosomes?.toFixed(1) ?? "—"} nm`,
          ] as [string, string]
        ),
        [
          "FM → EM matrix",
          JSON.stringify(report.transform.fmToEm.matrix.map((r) => r.map((v) => +v.toFixed(5)))),
        ],
      ],
    },
    {
      title: "CPD diagnostics",
      rows: Object.entries(report.transform.diagnostics).map(([k, v]) => [k, JSON.stringify(v)]),
    },
    {
      title: "Timings and memory",
      rows: [
        ...Object.entries(report.timings).map(([k, v]) =>
          [k, `${v.toFixed(1)} s`] as [string, string]
        ),
        ["peak RSS", `${((metrics.peakRssBytes as number) / 2 ** 20).toFixed(0)} MiB`],
      ],
    },
  ];
  const html = reportHtml("clemreg registration report", figures, tables);
  const index = path.join(folder, "index.html");
  await Deno.writeTextFile(index, html);
  return index;
}
