import CDNNL
import Foundation

/// oneDNN (DNNL 2.6) convolution primitives for one geometry, created once and reused: the
/// primitive JIT-compiles its kernel when created, so plans are cached per shape.
///
/// Activations stay in plain NCHW and weights in OIHW, so every other kernel in the package
/// reads them directly. (oneDNN's blocked layouts are faster still; see backend-findings §3.2.)
///
/// The scratchpad is user-managed: one buffer in `DNNLRuntime`, used under its lock. With
/// oneDNN's default library-managed scratchpad a primitive must run on the thread that created
/// it (oneDNN docs, `dnnl_scratchpad_mode_t`); plans here are created on first use and then run
/// from any thread, which crashed or corrupted memory under concurrent callers.
final class DNNLConvolution: @unchecked Sendable {
    let geometry: ConvolutionGeometry
    private let forwardPrimitive: dnnl_primitive_t
    private let backwardDataPrimitive: dnnl_primitive_t
    private let backwardWeightsPrimitive: dnnl_primitive_t
    private var srcDesc = dnnl_memory_desc_t(), weightDesc = dnnl_memory_desc_t()
    private var dstDesc = dnnl_memory_desc_t()
    /// Scratchpad layout of each primitive (forward, backward data, backward weights).
    private var scratchpadDescs = [dnnl_memory_desc_t](repeating: dnnl_memory_desc_t(), count: 3)

    private static let cache = PlanCache()

    /// The cached plan for `geometry`, created on first use.
    static func plan(for geometry: ConvolutionGeometry) -> DNNLConvolution {
        cache.plan(for: geometry)
    }

    private init(_ g: ConvolutionGeometry) {
        geometry = g
        let engine = DNNLRuntime.shared.engine
        check(dnnl_memory_desc_init_by_tag(&srcDesc, 4, g.inputShape.map(Int64.init), dnnl_f32, dnnl_nchw))
        check(dnnl_memory_desc_init_by_tag(&weightDesc, 4, g.weightShape.map(Int64.init), dnnl_f32, dnnl_oihw))
        check(dnnl_memory_desc_init_by_tag(&dstDesc, 4, g.outputShape.map(Int64.init), dnnl_f32, dnnl_nchw))
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
                                                 &srcDesc, &weightDesc, nil, &dstDesc,
                                                 strides, padding, padRight))
        var fwdPD: dnnl_primitive_desc_t?
        check(dnnl_primitive_desc_create(&fwdPD, &fwd, attr, engine, nil))

        var bwdData = dnnl_convolution_desc_t()
        check(dnnl_convolution_backward_data_desc_init(&bwdData, dnnl_convolution_direct,
                                                       &srcDesc, &weightDesc, &dstDesc,
                                                       strides, padding, padRight))
        var bwdDataPD: dnnl_primitive_desc_t?
        check(dnnl_primitive_desc_create(&bwdDataPD, &bwdData, attr, engine, fwdPD))

        var bwdWeights = dnnl_convolution_desc_t()
        check(dnnl_convolution_backward_weights_desc_init(&bwdWeights, dnnl_convolution_direct,
                                                          &srcDesc, &weightDesc, nil, &dstDesc,
                                                          strides, padding, padRight))
        var bwdWeightsPD: dnnl_primitive_desc_t?
        check(dnnl_primitive_desc_create(&bwdWeightsPD, &bwdWeights, attr, engine, fwdPD))

        for (i, pd) in [fwdPD, bwdDataPD, bwdWeightsPD].enumerated() {
            scratchpadDescs[i] = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0).pointee
        }

        var p1: dnnl_primitive_t?, p2: dnnl_primitive_t?, p3: dnnl_primitive_t?
        check(dnnl_primitive_create(&p1, fwdPD))
        check(dnnl_primitive_create(&p2, bwdDataPD))
        check(dnnl_primitive_create(&p3, bwdWeightsPD))
        forwardPrimitive = p1!
        backwardDataPrimitive = p2!
        backwardWeightsPrimitive = p3!
        dnnl_primitive_desc_destroy(fwdPD)
        dnnl_primitive_desc_destroy(bwdDataPD)
        dnnl_primitive_desc_destroy(bwdWeightsPD)
    }

    func forward(_ x: Tensor, _ w: Tensor, into y: inout Tensor) {
        x.withUnsafeBufferPointer { px in
            w.withUnsafeBufferPointer { pw in
                y.withUnsafeMutableBufferPointer { py in
                    execute(forwardPrimitive, scratchpad: scratchpadDescs[0], [
                        (DNNL_ARG_SRC, srcDesc, UnsafeMutableRawPointer(mutating: px.baseAddress!)),
                        (DNNL_ARG_WEIGHTS, weightDesc, UnsafeMutableRawPointer(mutating: pw.baseAddress!)),
                        (DNNL_ARG_DST, dstDesc, UnsafeMutableRawPointer(py.baseAddress!)),
                    ])
                }
            }
        }
    }

    func backwardData(_ dy: Tensor, _ w: Tensor, into dx: inout Tensor) {
        dy.withUnsafeBufferPointer { pdy in
            w.withUnsafeBufferPointer { pw in
                dx.withUnsafeMutableBufferPointer { pdx in
                    execute(backwardDataPrimitive, scratchpad: scratchpadDescs[1], [
                        (DNNL_ARG_DIFF_DST, dstDesc, UnsafeMutableRawPointer(mutating: pdy.baseAddress!)),
                        (DNNL_ARG_WEIGHTS, weightDesc, UnsafeMutableRawPointer(mutating: pw.baseAddress!)),
                        (DNNL_ARG_DIFF_SRC, srcDesc, UnsafeMutableRawPointer(pdx.baseAddress!)),
                    ])
                }
            }
        }
    }

    func backwardWeights(_ dy: Tensor, _ x: Tensor, into dw: inout Tensor) {
        dy.withUnsafeBufferPointer { pdy in
            x.withUnsafeBufferPointer { px in
                dw.withUnsafeMutableBufferPointer { pdw in
                    execute(backwardWeightsPrimitive, scratchpad: scratchpadDescs[2], [
                        (DNNL_ARG_DIFF_DST, dstDesc, UnsafeMutableRawPointer(mutating: pdy.baseAddress!)),
                        (DNNL_ARG_SRC, srcDesc, UnsafeMutableRawPointer(mutating: px.baseAddress!)),
                        (DNNL_ARG_DIFF_WEIGHTS, weightDesc, UnsafeMutableRawPointer(pdw.baseAddress!)),
                    ])
                }
            }
        }
    }

    /// Wraps each buffer in a oneDNN memory object, runs the primitive and waits for it.
    private func execute(_ primitive: dnnl_primitive_t,
                         scratchpad scratchpadDesc: dnnl_memory_desc_t,
                         _ buffers: [(Int32, dnnl_memory_desc_t, UnsafeMutableRawPointer)]) {
        let runtime = DNNLRuntime.shared
        var memories: [dnnl_memory_t?] = []
        var args: [dnnl_exec_arg_t] = []
        for (arg, desc, pointer) in buffers {
            var md = desc
            var memory: dnnl_memory_t?
            check(dnnl_memory_create(&memory, &md, runtime.engine, pointer))
            memories.append(memory)
            args.append(dnnl_exec_arg_t(arg: arg, memory: memory))
        }
        runtime.lock.lock()
        var md = scratchpadDesc
        let scratchpadBytes = dnnl_memory_desc_get_size(&md)
        if scratchpadBytes > 0 {
            var memory: dnnl_memory_t?
            let buffer = runtime.scratchpad(bytes: scratchpadBytes)
            check(dnnl_memory_create(&memory, &md, runtime.engine, buffer))
            memories.append(memory)
            args.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: memory))
        }
        check(dnnl_primitive_execute(primitive, runtime.stream, Int32(args.count), args))
        check(dnnl_stream_wait(runtime.stream))
        runtime.lock.unlock()
        for memory in memories { dnnl_memory_destroy(memory) }
    }

    deinit {
        dnnl_primitive_destroy(forwardPrimitive)
        dnnl_primitive_destroy(backwardDataPrimitive)
        dnnl_primitive_destroy(backwardWeightsPrimitive)
    }

    private final class PlanCache: @unchecked Sendable {
        private var plans: [ConvolutionGeometry: DNNLConvolution] = [:]
        private let lock = NSLock()
        func plan(for g: ConvolutionGeometry) -> DNNLConvolution {
            lock.lock(); defer { lock.unlock() }
            if let plan = plans[g] { return plan }
            let plan = DNNLConvolution(g)
            plans[g] = plan
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
