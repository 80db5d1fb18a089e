/// The two news sites the replica reproduces (names match `crawlers/<site>.json`).
public enum ReplicaSite: String, CaseIterable, Sendable {
    case xinhua = "xinhua-ko"
    case people = "people-ko"
}
