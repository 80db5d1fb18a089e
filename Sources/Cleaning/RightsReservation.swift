import Foundation
import Corpus

/// Rights signals a document carries in its metadata (set by `ko-llama extract`): a non-empty
/// `rights_notice` (e.g. People's Daily "무단 전재-재배포, AI 학습 및 활용 금지"), or an
/// `opt_out` value (string or list) with a robots directive `noai`, or a TDMRep reservation
/// (`tdm-reservation: 1` header or `meta tdm-reservation: 1`; `0` means not reserved).
public enum RightsReservation {
    public static func isReserved(_ document: Document) -> Bool {
        if let notice = document.metadata["rights_notice"]?.stringValue,
           !notice.trimmingCharacters(in: .whitespaces).isEmpty { return true }
        let signals: [String]
        switch document.metadata["opt_out"] {
        case let .string(s)?: signals = [s]
        case let .array(a)?: signals = a.compactMap(\.stringValue)
        default: signals = []
        }
        return signals.contains(where: isReservation)
    }

    /// One signal as extract writes it, `<name>: <value>` (`meta ` before names from `<meta>`).
    static func isReservation(_ signal: String) -> Bool {
        let lower = signal.lowercased()
        guard let colon = lower.firstIndex(of: ":") else { return lower.contains("noai") }
        var name = lower[..<colon].trimmingCharacters(in: .whitespaces)
        if name.hasPrefix("meta ") { name.removeFirst(5) }
        let value = lower[lower.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        if name == "tdm-reservation" { return value == "1" }
        return value.split(whereSeparator: { $0 == "," || $0 == " " }).contains { $0 == "noai" }
    }
}
