import Foundation
import Corpus

/// Rights signals a document carries in its metadata (set by `ko-llama extract`): a non-empty
/// `rights_notice` (e.g. People's Daily "무단 전재-재배포, AI 학습 및 활용 금지"), or an
/// `opt_out` value (string or list) naming `noai` or `tdm-reservation` (robots meta / TDMRep).
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
        return signals.contains { s in
            let l = s.lowercased()
            return l.contains("noai") || l.contains("tdm-reservation")
        }
    }
}
