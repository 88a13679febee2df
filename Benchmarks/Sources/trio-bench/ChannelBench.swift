import Trio

#if canImport(Glibc)
import Glibc
#endif

/// One producer and one consumer pass `count` Ints through a memory channel of `bufferSize`,
/// as `Python/bench.py channel_buf*` does; returns items per second.
func channelThroughput(count: Int, bufferSize: Int) throws -> Double {
    try Trio.run {
        let (send, receive) = openMemoryChannel(of: Int.self, maxBufferSize: bufferSize)
        var got = 0
        let start = monotonicSeconds()
        try await withNursery { nursery in
            try nursery.startSoon {
                for try await _ in receive { got += 1 }
                try await receive.aclose()
            }
            try nursery.startSoon {
                for i in 0..<count { try await send.send(i) }
                try await send.aclose()
            }
        }
        let elapsed = monotonicSeconds() - start
        precondition(got == count, "channel benchmark lost items")
        return Double(count) / elapsed
    }
}

/// `channel_buf0` / `channel_buf100`: items/s through an unbuffered / 100-slot channel
/// (median of 5 runs of 200 000 items).
func channelWorkload(bufferSize: Int) -> Workload {
    Workload(name: "channel_buf\(bufferSize)") {
        var rates: [Double] = []
        for _ in 0..<5 { rates.append(try channelThroughput(count: 200_000, bufferSize: bufferSize)) }
        report("channel_buf\(bufferSize)", median(rates), "items/s")
    }
}
