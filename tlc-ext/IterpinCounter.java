// The Java side of IterpinCounter.tla: TLC uses a class named after a module, on its classpath, for the module's
// operators of the same name and arity. IterpinCount(name) counts one step for `name` and is TRUE, so an
// ACTION_CONSTRAINT made of it constrains nothing; at exit (TLC ends with System.exit) the counts are printed
// on stdout after TLC's own output: "@iterpin-action-counts <k>", then one line per name,
// "@iterpin-action-count <count> <name>" (k of them; none when TLC took no step).
// src/tlc/counter.ts writes the constraint and reads the lines. Safe with any number of TLC workers.

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import tlc2.value.impl.BoolValue;
import tlc2.value.impl.StringValue;
import tlc2.value.impl.Value;

public final class IterpinCounter {
  private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(IterpinCounter::report, "iterpin-action-counts"));
  }

  private IterpinCounter() {
  }

  /** Counts one step for the action named by the string `name`; always TRUE. */
  public static Value IterpinCount(final Value name) {
    final String key = name instanceof StringValue ? ((StringValue) name).val.toString() : String.valueOf(name);
    COUNTS.computeIfAbsent(key, k -> new LongAdder()).increment();
    return BoolValue.ValTrue;
  }

  private static void report() {
    final Map<String, LongAdder> sorted = new TreeMap<>(COUNTS);
    final StringBuilder out = new StringBuilder("@iterpin-action-counts ").append(sorted.size()).append('\n');
    for (final Map.Entry<String, LongAdder> e : sorted.entrySet()) {
      out.append("@iterpin-action-count ").append(e.getValue().sum()).append(' ').append(e.getKey()).append('\n');
    }
    System.out.print(out);
    System.out.flush();
  }
}
