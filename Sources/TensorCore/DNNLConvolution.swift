import CDNNL
import Foundation

/// How oneDNN convolutions store their operands internally. Every choice reads and writes the
/// same tensors (row-major or channel-blocked activations, OIHW weights) and computes the same
/// function; they differ in speed and, for `.bfloat16`, in precision.
public enum ConvolutionAlgorithm: String, Sendable, CaseIterable, Codable {
    /// Plain NCHW activations and OIHW weights handed to oneDNN as they are (it picks its own
    /// im2col + GEMM kernel, `gemm:jit`). The reference for the other two.
    case plain
    /// oneDNN picks its preferred blocked layouts (`format_tag_any`, f32: nChw16c with
    /// OIhw16i16o weights, `jit:avx512_core`); operands in another layout are reordered around
    /// each call, and outputs stay nChw16c (`TensorLayout.channelBlocked16`) when
    /// `DNNLRuntime.activationLayout` allows. Same precision as `.plain`, summed in another order.
    case blocked
    /// As `.blocked`, but source, weights and destination (and ∂x, ∂y) are rounded to
    /// bfloat16 (8-bit mantissa) and multiplied by oneDNN's bf16 kernels with f32 accumulation.
    /// Opt-in: spikes (0/1) are exact in bf16, real-valued operands lose
    /// ~3 significant digits, and ∂w is rounded to bf16 before it is returned in f32. About 2× on
    /// AVX512-BF16 CPUs, 4× with AMX (docs/backend-notes.md).
    case bfloat16
}

/// oneDNN (DNNL 2.6) convolution primitives for one geometry and algorithm, created once and
/// reused: the primitive JIT-compiles its kernel when created, so plans are cached per shape.
///
/// Weights are OIHW outside this type. Activations come in either `TensorLayout`: with
/// `.blocked` the forward output is stored channel-blocked (nChw16c, what the f32 kernels
/// compute in) whenever its channels allow, and ∂x is stored like x, so a chain
/// conv → BatchNorm → neuron/ReLU → pool → conv needs no reorder between the convolutions.
/// Operands in another layout than the primitive's are reordered into buffers shared by all
/// plans (and the output back).
///
/// The scratchpad is user-managed: one buffer in `DNNLRuntime`, used under its lock. With
/// oneDNN's default library-managed scratchpad a primitive must run on the thread that created
/// it (oneDNN docs, `dnnl_scratchpad_mode_t`); plans here are created on first use and then run
/// from any thread, which crashed or corrupted memory under concurrent callers.
final class DNNLConvolution: @unchecked Sendable {
    let geometry: ConvolutionGeometry
    let algorithm: ConvolutionAlgorithm
    private let forwardOp: Operation
    private let backwardDataOp: Operation
    private let backwardWeightsOp: Operation
    /// Both backward primitives want ∂y in the same internal layout: `backward` reorders it once.
    private let backwardsShareDiffDst: Bool
    /// The forward and ∂w primitives read x in the same internal layout, so the forward can
    /// leave its reordered x behind for the ∂w pass (`forwardKeepingInput`).
    private let forwardAndWeightsReadSameInput: Bool
    /// The primitive computes in a blocked layout and the output channels are a multiple of 16.
    private let blocksOutput: Bool
    /// Bytes of x in the primitives' internal layout.
    private let internalInputBytes: Int
    /// The user-facing layouts: NCHW f32 activations, OIHW f32 weights.
    private var srcDesc = dnnl_memory_desc_t(), weightDesc = dnnl_memory_desc_t()
    private var dstDesc = dnnl_memory_desc_t()

    private struct Key: Hashable { let geometry: ConvolutionGeometry; let algorithm: ConvolutionAlgorithm }
    private static let cache = PlanCache()

    /// The cached plan for `geometry` under the process's `ExecutionPolicy.current.convolution`.
    static func plan(for geometry: ConvolutionGeometry,
                     algorithm: ConvolutionAlgorithm = ExecutionPolicy.current.convolution) -> DNNLConvolution {
        cache.plan(for: Key(geometry: geometry, algorithm: algorithm))
    }

    /// One primitive plus, per argument, the reorder between the user layout and the layout the
    /// primitive chose (nil when they are the same).
    private struct Operation {
        /// The operand as the caller stores it, and the reorder to or from the primitive's layout.
        struct UserSide {
            let desc: dnnl_memory_desc_t
            /// user → internal for inputs, internal → user for the output; nil = no reorder.
            let reorder: dnnl_primitive_t?
            let reorderScratchpad: dnnl_memory_desc_t
        }
        struct Argument {
            let arg: Int32
            let internalDesc: dnnl_memory_desc_t
            let isOutput: Bool
            /// The row-major operand (NCHW activations, OIHW weights).
            let rowMajor: UserSide
            /// The activation in `TensorLayout.channelBlocked16` (nil: its channels are not a
            /// multiple of 16, or it is the weights).
            let blocked: UserSide?

            func user(_ layout: TensorLayout) -> UserSide {
                switch layout {
                case .rowMajor: return rowMajor
                case .channelBlocked16:
                    guard let blocked else { fatalError("convolution operand cannot be channel-blocked") }
                    return blocked
                }
            }
        }
        let primitive: dnnl_primitive_t
        let scratchpad: dnnl_memory_desc_t
        let arguments: [Argument]
    }

    private init(_ g: ConvolutionGeometry, algorithm: ConvolutionAlgorithm) {
        geometry = g
        self.algorithm = algorithm
        let engine = DNNLRuntime.shared.engine
        check(dnnl_memory_desc_init_by_tag(&srcDesc, 4, g.inputShape.map(Int64.init), dnnl_f32, dnnl_nchw))
        check(dnnl_memory_desc_init_by_tag(&weightDesc, 4, g.weightShape.map(Int64.init), dnnl_f32, dnnl_oihw))
        check(dnnl_memory_desc_init_by_tag(&dstDesc, 4, g.outputShape.map(Int64.init), dnnl_f32, dnnl_nchw))
        // The descriptors the primitives are created with: the user's, or "any" layout (and bf16).
        var opSrc = srcDesc, opWeight = weightDesc, opDst = dstDesc, opDiffWeight = weightDesc
        if algorithm != .plain {
            let type = algorithm == .bfloat16 ? dnnl_bf16 : dnnl_f32
            check(dnnl_memory_desc_init_by_tag(&opSrc, 4, g.inputShape.map(Int64.init), type, dnnl_format_tag_any))
            check(dnnl_memory_desc_init_by_tag(&opWeight, 4, g.weightShape.map(Int64.init), type, dnnl_format_tag_any))
            check(dnnl_memory_desc_init_by_tag(&opDst, 4, g.outputShape.map(Int64.init), type, dnnl_format_tag_any))
            // bf16 ∂w: with f32 ∂w oneDNN 2.6 picks a kernel that is 5–10× slower on small planes
            // (512→512 at 2×2: 665 vs 90 ms); it accumulates in f32 either way and rounds once.
            check(dnnl_memory_desc_init_by_tag(&opDiffWeight, 4, g.weightShape.map(Int64.init), type,
                                               dnnl_format_tag_any))
        }
        let strides: [Int64] = [Int64(g.stride), Int64(g.stride)]
        let padding: [Int64] = [Int64(g.padding), Int64(g.padding)]
        // Right padding so that (H + pl + pr − R) is a multiple of the stride.
        let padRight: [Int64] = [
            Int64((g.outHeight - 1) * g.stride + g.kernelHeight - g.height - g.padding),
            Int64((g.outWidth - 1) * g.stride + g.kernelWidth - g.width - g.padding),
        ]

        var attr: dnnl_primitive_attr_t?
        check(dnnl_primitive_attr_create(&attr))
        defer { dnnl_primitive_attr_destroy(attr) }
        check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user))

        var fwd = dnnl_convolution_desc_t()
        check(dnnl_convolution_forward_desc_init(&fwd, dnnl_forward_training, dnnl_convolution_direct,
                                                 &opSrc, &opWeight, nil, &opDst,
                                                 strides, padding, padRight))
        var fwdPD: dnnl_primitive_desc_t?
        check(dnnl_primitive_desc_create(&fwdPD, &fwd, attr, engine, nil))

        var bwdData = dnnl_convolution_desc_t()
        check(dnnl_convolution_backward_data_desc_init(&bwdData, dnnl_convolution_direct,
                                                       &opSrc, &opWeight, &opDst,
                                                       strides, padding, padRight))
        var bwdDataPD: dnnl_primitive_desc_t?
        check(dnnl_primitive_desc_create(&bwdDataPD, &bwdData, attr, engine, fwdPD))

        // oneDNN 2.6's bf16 ∂w kernel is 5–10× slower than f32 on small planes (512→512 at 2×2
        // and 4×4, batch 128: 640–1500 ms vs 100–370 ms on Zen 4), so there ∂w stays f32 blocked.
        let bf16Weights = algorithm != .bfloat16 || g.outHeight * g.outWidth >= 64
        var wSrc = opSrc, wDst = opDst, wDiff = opDiffWeight
        var hintPD = fwdPD
        if !bf16Weights {
            check(dnnl_memory_desc_init_by_tag(&wSrc, 4, g.inputShape.map(Int64.init), dnnl_f32, dnnl_format_tag_any))
            check(dnnl_memory_desc_init_by_tag(&wDst, 4, g.outputShape.map(Int64.init), dnnl_f32, dnnl_format_tag_any))
            check(dnnl_memory_desc_init_by_tag(&wDiff, 4, g.weightShape.map(Int64.init), dnnl_f32, dnnl_format_tag_any))
            var fwd32 = dnnl_convolution_desc_t()
            check(dnnl_convolution_forward_desc_init(&fwd32, dnnl_forward_training, dnnl_convolution_direct,
                                                     &wSrc, &wDiff, nil, &wDst, strides, padding, padRight))
            hintPD = nil
            check(dnnl_primitive_desc_create(&hintPD, &fwd32, attr, engine, nil))
        }
        defer { if !bf16Weights { dnnl_primitive_desc_destroy(hintPD) } }
        var bwdWeights = dnnl_convolution_desc_t()
        check(dnnl_convolution_backward_weights_desc_init(&bwdWeights, dnnl_convolution_direct,
                                                          &wSrc, &wDiff, nil, &wDst,
                                                          strides, padding, padRight))
        var bwdWeightsPD: dnnl_primitive_desc_t?
        check(dnnl_primitive_desc_create(&bwdWeightsPD, &bwdWeights, attr, engine, hintPD))

        func operation(_ pd: dnnl_primitive_desc_t?,
                       _ args: [(arg: Int32, query: dnnl_query_t, user: dnnl_memory_desc_t,
                                 blocked: dnnl_memory_desc_t?, output: Bool)]) -> Operation {
            var arguments: [Operation.Argument] = []
            for a in args {
                var chosen = dnnl_primitive_desc_query_md(pd, a.query, 0).pointee
                func side(_ desc: dnnl_memory_desc_t) -> Operation.UserSide {
                    var user = desc
                    var reorder: dnnl_primitive_t?
                    var reorderScratchpad = dnnl_memory_desc_t()
                    if dnnl_memory_desc_equal(&user, &chosen) == 0 {
                        var rpd: dnnl_primitive_desc_t?
                        if a.output {
                            check(dnnl_reorder_primitive_desc_create(&rpd, &chosen, engine, &user, engine, attr))
                        } else {
                            check(dnnl_reorder_primitive_desc_create(&rpd, &user, engine, &chosen, engine, attr))
                        }
                        reorderScratchpad = dnnl_primitive_desc_query_md(rpd, dnnl_query_scratchpad_md, 0).pointee
                        check(dnnl_primitive_create(&reorder, rpd))
                        dnnl_primitive_desc_destroy(rpd)
                    }
                    return .init(desc: user, reorder: reorder, reorderScratchpad: reorderScratchpad)
                }
                arguments.append(.init(arg: a.arg, internalDesc: chosen, isOutput: a.output,
                                       rowMajor: side(a.user), blocked: a.blocked.map(side)))
            }
            var primitive: dnnl_primitive_t?
            check(dnnl_primitive_create(&primitive, pd))
            let scratchpad = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0).pointee
            dnnl_primitive_desc_destroy(pd)
            return Operation(primitive: primitive!, scratchpad: scratchpad, arguments: arguments)
        }
        // The activations in `TensorLayout.channelBlocked16` (oneDNN's nChw16c), when they can be.
        func blockedDesc(_ shape: [Int]) -> dnnl_memory_desc_t? {
            guard TensorLayout.channelBlocked16.holds(shape) else { return nil }
            var md = dnnl_memory_desc_t()
            check(dnnl_memory_desc_init_by_tag(&md, 4, shape.map(Int64.init), dnnl_f32, dnnl_nChw16c))
            return md
        }
        let srcBlocked = blockedDesc(g.inputShape), dstBlocked = blockedDesc(g.outputShape)
        forwardOp = operation(fwdPD, [
            (DNNL_ARG_SRC, dnnl_query_src_md, srcDesc, srcBlocked, false),
            (DNNL_ARG_WEIGHTS, dnnl_query_weights_md, weightDesc, nil, false),
            (DNNL_ARG_DST, dnnl_query_dst_md, dstDesc, dstBlocked, true),
        ])
        backwardDataOp = operation(bwdDataPD, [
            (DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, dstDesc, dstBlocked, false),
            (DNNL_ARG_WEIGHTS, dnnl_query_weights_md, weightDesc, nil, false),
            (DNNL_ARG_DIFF_SRC, dnnl_query_diff_src_md, srcDesc, srcBlocked, true),
        ])
        backwardWeightsOp = operation(bwdWeightsPD, [
            (DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, dstDesc, dstBlocked, false),
            (DNNL_ARG_SRC, dnnl_query_src_md, srcDesc, srcBlocked, false),
            (DNNL_ARG_DIFF_WEIGHTS, dnnl_query_diff_weights_md, weightDesc, nil, true),
        ])
        var dataDiffDst = backwardDataOp.arguments[0].internalDesc
        var weightsDiffDst = backwardWeightsOp.arguments[0].internalDesc
        backwardsShareDiffDst = dnnl_memory_desc_equal(&dataDiffDst, &weightsDiffDst) != 0
        var forwardSrc = forwardOp.arguments[0].internalDesc
        var weightsSrc = backwardWeightsOp.arguments[1].internalDesc
        forwardAndWeightsReadSameInput = dnnl_memory_desc_equal(&forwardSrc, &weightsSrc) != 0
        internalInputBytes = dnnl_memory_desc_get_size(&forwardSrc)
        blocksOutput = algorithm != .plain && dstBlocked != nil
    }

    /// The layout the forward output (and so ∂y) gets: oneDNN's blocked layout when the
    /// primitive computes in one and the channels allow it, unless activations are kept row-major.
    var outputLayout: TensorLayout {
        blocksOutput && DNNLRuntime.activationLayout == .blockedBetweenConvolutions ? .channelBlocked16 : .rowMajor
    }

    /// Whether both backward primitives reorder ∂y (stored in `layout`) into the same buffer.
    private func backwardsShareReorderedDiffDst(_ layout: TensorLayout) -> Bool {
        backwardsShareDiffDst && backwardDataOp.arguments[0].user(layout).reorder != nil
            && backwardWeightsOp.arguments[0].user(layout).reorder != nil
    }

    /// Whether the forward reorders x (stored in `layout`) into the layout the ∂w pass reads.
    private func canKeepInput(_ layout: TensorLayout) -> Bool {
        forwardAndWeightsReadSameInput && forwardOp.arguments[0].user(layout).reorder != nil
            && backwardWeightsOp.arguments[1].user(layout).reorder != nil
    }

    func forward(_ x: Tensor, _ w: Tensor, into y: inout Tensor) {
        run(forwardOp, x, w, into: &y)
    }

    /// The forward pass, also returning x as reordered for it when the ∂w primitive reads the
    /// same layout (nil otherwise): pass it to `backward` to skip reordering x again. The copy
    /// is made by the reorder the forward needs anyway, into its own buffer.
    func forwardKeepingInput(_ x: Tensor, _ w: Tensor, into y: inout Tensor) -> ConvolutionInputCopy? {
        guard canKeepInput(x.layout) else {
            forward(x, w, into: &y)
            return nil
        }
        let copy = ConvolutionInputCopy(bytes: internalInputBytes, plan: self)
        run(forwardOp, x, w, into: &y, buffers: [0: copy.pointer])
        return copy
    }

    func backwardData(_ dy: Tensor, _ w: Tensor, into dx: inout Tensor) {
        run(backwardDataOp, dy, w, into: &dx)
    }

    func backwardWeights(_ dy: Tensor, _ x: Tensor, into dw: inout Tensor) {
        run(backwardWeightsOp, dy, x, into: &dw)
    }

    /// Both gradients from one ∂y: ∂x (when `dx` is non-nil) and ∂w. The same as
    /// `backwardData` then `backwardWeights`, bit for bit, but ∂y is reordered into oneDNN's
    /// layout once instead of twice when both primitives use the same layout.
    /// `inputCopy` (from `forwardKeepingInput` of this plan) replaces the reorder of x for ∂w.
    func backward(_ dy: Tensor, _ x: Tensor, _ w: Tensor, inputCopy: ConvolutionInputCopy? = nil,
                  dataInto dx: inout Tensor?, weightsInto dw: inout Tensor) {
        let copy = inputCopy.flatMap { $0.plan === self ? $0 : nil }
        let xBuffers: [Int: UnsafeMutableRawPointer] = copy.map { [1: $0.pointer] } ?? [:]
        let xStaged: Set<Int> = copy == nil ? [] : [1]
        guard dx != nil else {
            return run(backwardWeightsOp, dy, x, into: &dw, buffers: xBuffers, alreadyStaged: xStaged)
        }
        precondition(dx!.layout == x.layout, "∂x must be stored like x")
        // Both primitives under one hold of the lock: the reordered ∂y must survive in between.
        let runtime = DNNLRuntime.shared
        runtime.lock.lock()
        defer { runtime.lock.unlock() }
        dy.withUnsafeStorage { pdy, _ in
            w.withUnsafeBufferPointer { pw in
                x.withUnsafeStorage { px, _ in
                    dw.withUnsafeMutableBufferPointer { pdw in
                        let gradient = UnsafeMutableRawPointer(mutating: pdy.baseAddress!)
                        let weightArguments = [gradient, UnsafeMutableRawPointer(mutating: px.baseAddress!),
                                               UnsafeMutableRawPointer(pdw.baseAddress!)]
                        dx!.withUnsafeMutableStorage { pdx, _ in
                            executeLocked(backwardDataOp, [gradient, UnsafeMutableRawPointer(mutating: pw.baseAddress!),
                                                           UnsafeMutableRawPointer(pdx.baseAddress!)],
                                          layouts: [dy.layout, .rowMajor, x.layout])
                        }
                        // Staging slot 0 still holds the reordered ∂y: the ∂w primitive reads it.
                        executeLocked(backwardWeightsOp, weightArguments, layouts: [dy.layout, x.layout, .rowMajor],
                                      buffers: xBuffers,
                                      alreadyStaged: xStaged.union(backwardsShareReorderedDiffDst(dy.layout) ? [0] : []))
                    }
                }
            }
        }
    }

    /// Runs one of the three primitives on two read-only operands and one output, in the
    /// argument order its op table lists them (`buffers`, `alreadyStaged`: see `executeLocked`).
    private func run(_ op: Operation, _ a: Tensor, _ b: Tensor, into out: inout Tensor,
                     buffers: [Int: UnsafeMutableRawPointer] = [:], alreadyStaged: Set<Int> = []) {
        let runtime = DNNLRuntime.shared
        runtime.lock.lock()
        defer { runtime.lock.unlock() }
        let layouts = [a.layout, b.layout, out.layout]
        a.withUnsafeStorage { pa, _ in
            b.withUnsafeStorage { pb, _ in
                out.withUnsafeMutableStorage { po, _ in
                    executeLocked(op, [UnsafeMutableRawPointer(mutating: pa.baseAddress!),
                                       UnsafeMutableRawPointer(mutating: pb.baseAddress!),
                                       UnsafeMutableRawPointer(po.baseAddress!)],
                                  layouts: layouts, buffers: buffers, alreadyStaged: alreadyStaged)
                }
            }
        }
    }

    /// Reorders the inputs that need it into the runtime's staging buffers, runs the primitive,
    /// reorders the output back into the user's buffer and waits; call with the runtime's lock
    /// held. `pointers` are the user buffers in the order of `op.arguments`, stored in `layouts`. `buffers`: slots whose reordered operand
    /// lives in the caller's buffer instead of the runtime's staging buffer; `alreadyStaged`:
    /// input slots whose buffer already holds the operand in the primitive's layout (no reorder).
    private func executeLocked(_ op: Operation, _ pointers: [UnsafeMutableRawPointer], layouts: [TensorLayout],
                               buffers: [Int: UnsafeMutableRawPointer] = [:], alreadyStaged: Set<Int> = []) {
        let runtime = DNNLRuntime.shared
        var memories: [dnnl_memory_t?] = []
        defer { for memory in memories { dnnl_memory_destroy(memory) } }
        func memory(_ desc: dnnl_memory_desc_t, _ pointer: UnsafeMutableRawPointer) -> dnnl_memory_t? {
            var md = desc
            var m: dnnl_memory_t?
            check(dnnl_memory_create(&m, &md, runtime.engine, pointer))
            memories.append(m)
            return m
        }
        func run(_ primitive: dnnl_primitive_t, _ scratchpadDesc: dnnl_memory_desc_t,
                 _ args: [dnnl_exec_arg_t]) {
            var args = args
            var md = scratchpadDesc
            let bytes = dnnl_memory_desc_get_size(&md)
            if bytes > 0 {
                args.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD,
                                            memory: memory(md, runtime.scratchpad(bytes: bytes))))
            }
            check(dnnl_primitive_execute(primitive, runtime.stream, Int32(args.count), args))
        }
        var args: [dnnl_exec_arg_t] = []
        var pendingOutput: (dnnl_primitive_t, dnnl_memory_desc_t, dnnl_memory_t?, dnnl_memory_t?)?
        for (slot, (a, pointer)) in zip(op.arguments, pointers).enumerated() {
            let side = a.user(layouts[slot])
            let user = memory(side.desc, pointer)
            guard let reorder = side.reorder else {
                args.append(dnnl_exec_arg_t(arg: a.arg, memory: user))
                continue
            }
            var md = a.internalDesc
            let staged = memory(md, buffers[slot] ?? runtime.staging(slot, bytes: dnnl_memory_desc_get_size(&md)))
            if a.isOutput {
                pendingOutput = (reorder, side.reorderScratchpad, staged, user)
            } else if !alreadyStaged.contains(slot) {
                run(reorder, side.reorderScratchpad, [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: user),
                                                      dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: staged)])
            }
            args.append(dnnl_exec_arg_t(arg: a.arg, memory: staged))
        }
        run(op.primitive, op.scratchpad, args)
        if let (reorder, scratchpad, staged, user) = pendingOutput {
            run(reorder, scratchpad, [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: staged),
                                      dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: user)])
        }
        check(dnnl_stream_wait(runtime.stream))
    }

    deinit {
        for op in [forwardOp, backwardDataOp, backwardWeightsOp] {
            dnnl_primitive_destroy(op.primitive)
            for a in op.arguments {
                for side in [a.rowMajor, a.blocked].compactMap({ $0 }) {
                    if let r = side.reorder { dnnl_primitive_destroy(r) }
                }
            }
        }
    }

    private final class PlanCache: @unchecked Sendable {
        private var plans: [Key: DNNLConvolution] = [:]
        private let lock = NSLock()
        func plan(for key: Key) -> DNNLConvolution {
            lock.lock(); defer { lock.unlock() }
            if let plan = plans[key] { return plan }
            let plan = DNNLConvolution(key.geometry, algorithm: key.algorithm)
            plans[key] = plan
            return plan
        }
    }
}

/// The process-wide oneDNN CPU engine and stream.
public final class DNNLRuntime: @unchecked Sendable {
    let engine: dnnl_engine_t
    let stream: dnnl_stream_t
    let lock = NSLock()
    /// One scratchpad for every primitive, grown to the largest request; used only with `lock`
    /// held, which also serialises every execution.
    private var scratchpad: UnsafeMutableRawPointer?
    private var scratchpadBytes = 0

    static let shared = DNNLRuntime()

    /// The layout/precision every convolution uses: `ExecutionPolicy.current.convolution`
    /// (process-wide; set once at start-up through `ExecutionPolicy.apply`). Plans for each
    /// choice are cached separately. Default `.blocked`: same f32 results as `.plain` up to
    /// summation order (≤ 1e-6 relative), ~1.6× faster on the VGG-11 SNN training step
    /// (`bench snn --conv plain|blocked`).
    public static var convolutionAlgorithm: ConvolutionAlgorithm { ExecutionPolicy.current.convolution }

    /// Where convolution outputs are stored (∂x is always stored like x).
    /// `.blockedBetweenConvolutions` (default) saves the reorders on both sides of each
    /// convolution; `.rowMajor` is the reference it is tested against (bit-equal results).
    /// Task-local: `DNNLRuntime.$activationLayout.withValue(.rowMajor) { … }` changes it for
    /// the code inside only (tests compare both side by side).
    @TaskLocal public static var activationLayout: ActivationLayoutPolicy = .blockedBetweenConvolutions

    /// Three staging buffers (one per convolution argument) for operands reordered into
    /// oneDNN's layout, shared by all plans and grown to the largest request. Call with `lock` held.
    private var stagingBuffers: [(pointer: UnsafeMutableRawPointer?, bytes: Int)] = Array(repeating: (nil, 0), count: 3)
    func staging(_ slot: Int, bytes: Int) -> UnsafeMutableRawPointer {
        if bytes > stagingBuffers[slot].bytes {
            stagingBuffers[slot].pointer?.deallocate()
            stagingBuffers[slot] = (UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64), bytes)
        }
        return stagingBuffers[slot].pointer!
    }

    /// The shared scratchpad, at least `bytes` long. Call with `lock` held.
    func scratchpad(bytes: Int) -> UnsafeMutableRawPointer {
        if bytes > scratchpadBytes {
            scratchpad?.deallocate()
            scratchpad = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            scratchpadBytes = bytes
        }
        return scratchpad!
    }

    private init() {
        var e: dnnl_engine_t?
        check(dnnl_engine_create(&e, dnnl_cpu, 0))
        var s: dnnl_stream_t?
        check(dnnl_stream_create(&s, e, dnnl_stream_default_flags.rawValue))
        engine = e!
        stream = s!
    }

    /// The instruction set oneDNN dispatches to on this CPU (printed by benchmarks).
    public static var effectiveISA: String {
        String(cString: dnnl_cpu_isa2str(dnnl_get_effective_cpu_isa()))
    }

    /// Whether oneDNN has convolution kernels for `algorithm` on this CPU. f32 always; bf16 needs
    /// an ISA with bf16 support (AVX-512 or AMX in oneDNN 2.6: a Zen 2/3 or an AVX2-only Intel
    /// has none, and creating the primitive there fails with "unimplemented"). Asked once, by
    /// creating a small forward primitive descriptor.
    public static func supports(_ algorithm: ConvolutionAlgorithm) -> Bool {
        algorithm != .bfloat16 || bfloat16Available
    }

    private static let bfloat16Available: Bool = {
        let engine = DNNLRuntime.shared.engine
        var src = dnnl_memory_desc_t(), weights = dnnl_memory_desc_t(), dst = dnnl_memory_desc_t()
        check(dnnl_memory_desc_init_by_tag(&src, 4, [1, 16, 4, 4], dnnl_bf16, dnnl_format_tag_any))
        check(dnnl_memory_desc_init_by_tag(&weights, 4, [16, 16, 3, 3], dnnl_bf16, dnnl_format_tag_any))
        check(dnnl_memory_desc_init_by_tag(&dst, 4, [1, 16, 4, 4], dnnl_bf16, dnnl_format_tag_any))
        var descriptor = dnnl_convolution_desc_t()
        check(dnnl_convolution_forward_desc_init(&descriptor, dnnl_forward_training, dnnl_convolution_direct,
                                                 &src, &weights, nil, &dst, [1, 1], [1, 1], [1, 1]))
        var primitive: dnnl_primitive_desc_t?
        let status = dnnl_primitive_desc_create(&primitive, &descriptor, nil, engine, nil)
        if let primitive { dnnl_primitive_desc_destroy(primitive) }
        return status == dnnl_success
    }()

    /// oneDNN's version string, e.g. "2.6.3".
    public static var version: String {
        let v = dnnl_version().pointee
        return "\(v.major).\(v.minor).\(v.patch)"
    }
}

/// Stops with oneDNN's own error name: a failed primitive call is a programming error here.
@inline(__always)
func check(_ status: dnnl_status_t, file: StaticString = #file, line: UInt = #line) {
    if status != dnnl_success {
        fatalError("oneDNN call failed: \(String(cString: dnnl_status2str(status)))", file: file, line: line)
    }
}

/// A convolution input as the forward primitive reordered it (oneDNN's blocked layout), kept
/// for the ∂w pass of the same plan. Its buffer comes from and returns to `BufferPool`.
public final class ConvolutionInputCopy: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let bytes: Int
    /// The plan whose layout the bytes are in.
    let plan: DNNLConvolution

    init(bytes: Int, plan: DNNLConvolution) {
        self.bytes = bytes
        self.plan = plan
        pointer = BufferPool.allocate(bytes: bytes)
    }

    deinit { BufferPool.deallocate(pointer, bytes: bytes) }
}
