package dev.winnow.template;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.IsoFields;
import java.util.Locale;

/**
 * Python's {@code datetime.now().strftime(fmt)} (naive local time, C locale, glibc extensions
 * such as {@code %-d}): what HF's {@code strftime_now} returns.
 */
final class Strftime {
    private Strftime() {
    }

    static String format(LocalDateTime t, String fmt) {
        StringBuilder out = new StringBuilder();
        int n = fmt.length();
        for (int i = 0; i < n; i++) {
            char c = fmt.charAt(i);
            if (c != '%' || i + 1 >= n) {
                out.append(c);
                continue;
            }
            char flag = 0;
            char d = fmt.charAt(++i);
            if ((d == '-' || d == '_' || d == '0' || d == '^') && i + 1 < n) {
                flag = d;
                d = fmt.charAt(++i);
            }
            String v = field(t, d, flag);
            if (v == null) {
                out.append('%');
                if (flag != 0) out.append(flag);
                out.append(d);
            } else {
                out.append(flag == '^' ? v.toUpperCase(Locale.ROOT) : v);
            }
        }
        return out.toString();
    }

    private static String num(long v, int width, char flag, char defaultPad) {
        String s = Long.toString(v);
        if (flag == '-') return s;
        char padChar = flag == '_' ? ' ' : flag == '0' ? '0' : defaultPad;
        StringBuilder b = new StringBuilder();
        for (int k = s.length(); k < width; k++) b.append(padChar);
        return b.append(s).toString();
    }

    private static String field(LocalDateTime t, char d, char flag) {
        int hour12 = t.getHour() % 12 == 0 ? 12 : t.getHour() % 12;
        return switch (d) {
            case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
            case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
            case 'd' -> num(t.getDayOfMonth(), 2, flag, '0');
            case 'e' -> num(t.getDayOfMonth(), 2, flag, ' ');
            case 'm' -> num(t.getMonthValue(), 2, flag, '0');
            case 'y' -> num(t.getYear() % 100, 2, flag, '0');
            case 'Y' -> num(t.getYear(), 1, flag, '0');
            case 'C' -> num(t.getYear() / 100, 2, flag, '0');
            case 'H' -> num(t.getHour(), 2, flag, '0');
            case 'k' -> num(t.getHour(), 2, flag, ' ');
            case 'I' -> num(hour12, 2, flag, '0');
            case 'l' -> num(hour12, 2, flag, ' ');
            case 'M' -> num(t.getMinute(), 2, flag, '0');
            case 'S' -> num(t.getSecond(), 2, flag, '0');
            case 'f' -> num(t.getNano() / 1000, 6, flag, '0');
            case 'p' -> t.getHour() < 12 ? "AM" : "PM";
            case 'P' -> t.getHour() < 12 ? "am" : "pm";
            case 'j' -> num(t.getDayOfYear(), 3, flag, '0');
            case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
            case 'u' -> Integer.toString(t.getDayOfWeek().getValue());
            case 'U' -> num(weekOfYear(t, DayOfWeek.SUNDAY), 2, flag, '0');
            case 'W' -> num(weekOfYear(t, DayOfWeek.MONDAY), 2, flag, '0');
            case 'V' -> num(t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), 2, flag, '0');
            case 'G' -> num(t.get(IsoFields.WEEK_BASED_YEAR), 1, flag, '0');
            case 'g' -> num(t.get(IsoFields.WEEK_BASED_YEAR) % 100, 2, flag, '0');
            case 'z', 'Z' -> ""; // datetime.now() is naive
            case 'c' -> format(t, "%a %b %e %H:%M:%S %Y");
            case 'x' -> format(t, "%m/%d/%y");
            case 'X', 'T' -> format(t, "%H:%M:%S");
            case 'D' -> format(t, "%m/%d/%y");
            case 'F' -> format(t, "%Y-%m-%d");
            case 'R' -> format(t, "%H:%M");
            case 'r' -> format(t, "%I:%M:%S %p");
            case 'n' -> "\n";
            case 't' -> "\t";
            case '%' -> "%";
            default -> null;
        };
    }

    /** %U / %W: weeks before the first {@code first} day of the year are week 0. */
    private static int weekOfYear(LocalDateTime t, DayOfWeek first) {
        int doy = t.getDayOfYear() - 1;
        int dow = t.get(ChronoField.DAY_OF_WEEK) % 7; // Sunday = 0
        int firstIdx = first == DayOfWeek.SUNDAY ? 0 : 1;
        int shifted = (dow - firstIdx + 7) % 7;
        return (doy + 7 - shifted) / 7;
    }
}
