import Foundation

/// A calendar date and time of day in UTC, without Calendar (whose results depend on the
/// process's locale settings): the replica's publication times and HTTP dates.
struct CivilTime: Sendable, Equatable, Comparable {
    var year: Int, month: Int, day: Int
    var hour = 0, minute = 0, second = 0

    /// Days since 1970-01-01 -> date (Howard Hinnant's `civil_from_days`).
    init(daysSinceEpoch: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
    }

    /// Days since 1970-01-01 (`days_from_civil`).
    var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    var secondsSinceEpoch: Int { daysSinceEpoch * 86400 + hour * 3600 + minute * 60 + second }

    init(secondsSinceEpoch s: Int) {
        let days = s >= 0 ? s / 86400 : (s - 86399) / 86400
        let rest = s - days * 86400
        self.init(daysSinceEpoch: days, hour: rest / 3600, minute: rest / 60 % 60, second: rest % 60)
    }

    static func < (a: CivilTime, b: CivilTime) -> Bool { a.secondsSinceEpoch < b.secondsSinceEpoch }

    private static func pad(_ n: Int, _ width: Int = 2) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    var yyyy: String { Self.pad(year, 4) }
    var mm: String { Self.pad(month) }
    var dd: String { Self.pad(day) }
    /// YYYY-MM-DD
    var isoDate: String { "\(yyyy)-\(mm)-\(dd)" }
    /// HH:MM:SS
    var clock: String { "\(Self.pad(hour)):\(Self.pad(minute)):\(Self.pad(second))" }

    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"] // 1970-01-01 was a Thursday
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// RFC 9110 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    var httpDate: String {
        let weekday = Self.weekdays[((daysSinceEpoch % 7) + 7) % 7]
        return "\(weekday), \(dd) \(Self.months[month - 1]) \(yyyy) \(clock) GMT"
    }

    /// Parses an IMF-fixdate; nil for anything else (RFC 9110 lets a server ignore other forms).
    init?(httpDate text: String) {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]),
              let month = Self.months.firstIndex(of: String(parts[2])) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        self.init(year: year, month: month + 1, day: day, hour: clock[0], minute: clock[1], second: clock[2])
    }

    static var now: CivilTime { CivilTime(secondsSinceEpoch: Int(Date().timeIntervalSince1970)) }
}
