//! Deciding, in our code, what each value of a curve is before plotters sees it: a point
//! to draw, or one of the values that have no place on the axis (`inf`, `NaN`, an
//! underflow to 0 on a log axis), which are drawn as labelled markers instead.

use super::axis::Scale;

/// A value that cannot be placed on the y axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mark {
    /// `+inf` or `-inf` (the plot shows `|v|`).
    Inf,
    /// Not a number.
    Nan,
    /// Exactly 0 on a log axis.
    Zero,
}

impl Mark {
    /// Every mark, in the order their bands are drawn from the top.
    pub const ALL: [Mark; 3] = [Mark::Nan, Mark::Inf, Mark::Zero];

    /// How the mark is named on the plot.
    pub fn name(self) -> &'static str {
        match self {
            Mark::Inf => "inf",
            Mark::Nan => "NaN",
            Mark::Zero => "0",
        }
    }
}

/// Where a value goes on the plot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Point {
    /// At this y coordinate (`log10|v|` or `|v|`).
    At(f64),
    /// On the marker band of this kind.
    Marked(Mark),
}

/// Classifies `v` for an axis with `scale`.
pub fn classify(v: f64, scale: Scale) -> Point {
    if v.is_nan() {
        Point::Marked(Mark::Nan)
    } else if v.is_infinite() {
        Point::Marked(Mark::Inf)
    } else {
        match scale {
            Scale::Log if v == 0.0 => Point::Marked(Mark::Zero),
            Scale::Log => Point::At(v.abs().log10()),
            Scale::Linear => Point::At(v.abs()),
        }
    }
}

/// A run of consecutive layers whose values carry the same mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// The kind of value.
    pub mark: Mark,
    /// The first layer of the run.
    pub first: usize,
    /// The last layer of the run (inclusive).
    pub last: usize,
}

/// The runs of marked values in `values`, whose first element is layer `first_layer`.
pub fn runs(values: &[f64], first_layer: usize, scale: Scale) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for (i, &v) in values.iter().enumerate() {
        let layer = first_layer + i;
        if let Point::Marked(mark) = classify(v, scale) {
            match out.last_mut() {
                Some(run) if run.mark == mark && run.last + 1 == layer => run.last = layer,
                _ => out.push(Run {
                    mark,
                    first: layer,
                    last: layer,
                }),
            }
        }
    }
    out
}

/// Describes the runs of one mark in words, for the label next to its markers:
/// `inf from layer 128`, `0 at layers 1–50`, `NaN at layer 7`, `0 at 12 layers from 3`.
/// `last_layer` is the last layer of the curve. Returns `None` if there is no such run.
pub fn describe(runs: &[Run], mark: Mark, last_layer: usize) -> Option<String> {
    let mine: Vec<&Run> = runs.iter().filter(|r| r.mark == mark).collect();
    let name = mark.name();
    match mine.as_slice() {
        [] => None,
        [r] if r.first == r.last => Some(format!("{name} at layer {}", r.first)),
        [r] if r.last == last_layer => Some(format!("{name} from layer {}", r.first)),
        [r] => Some(format!("{name} at layers {}–{}", r.first, r.last)),
        many => {
            let count: usize = many.iter().map(|r| r.last - r.first + 1).sum();
            Some(format!("{name} at {count} layers from {}", many[0].first))
        }
    }
}

/// The drawable pieces of a curve: maximal stretches of consecutive layers whose values
/// lie in `[lo, hi]`, as `(layer, y)` pairs. A stretch that leaves the range is cut where
/// it crosses the border, so nothing is drawn pinned to the edge.
pub fn segments(
    values: &[f64],
    first_layer: usize,
    scale: Scale,
    (lo, hi): (f64, f64),
) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let mut previous: Option<(f64, f64)> = None;
    for (i, &v) in values.iter().enumerate() {
        let x = (first_layer + i) as f64;
        let point = match classify(v, scale) {
            Point::At(y) => Some((x, y)),
            Point::Marked(_) => None,
        };
        let inside = point.filter(|&(_, y)| (lo..=hi).contains(&y));
        match (previous, point, inside) {
            (_, _, Some(p)) => {
                if current.is_empty() {
                    if let Some(q) = previous.filter(|&(_, y)| !(lo..=hi).contains(&y)) {
                        current.push(crossing(q, p, lo, hi));
                    }
                }
                current.push(p);
            }
            (Some(q), Some(p), None) if !current.is_empty() => {
                current.push(crossing(q, p, lo, hi));
                out.push(std::mem::take(&mut current));
            }
            _ => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
        }
        previous = point;
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Where the line from `a` to `b` crosses `lo` or `hi`, whichever lies between them.
fn crossing(a: (f64, f64), b: (f64, f64), lo: f64, hi: f64) -> (f64, f64) {
    let border = if a.1.max(b.1) > hi { hi } else { lo };
    let t = (border - a.1) / (b.1 - a.1);
    (a.0 + t * (b.0 - a.0), border)
}

/// Reduces a stretch of points to at most two per pixel column, keeping each column's
/// lowest and highest point in their original order. The drawn line looks the same.
/// `x_range` is the axis range and `columns` the plot width in pixels.
pub fn decimate(points: &[(f64, f64)], x_range: (f64, f64), columns: usize) -> Vec<(f64, f64)> {
    let columns = columns.max(1);
    if points.len() <= 2 * columns {
        return points.to_vec();
    }
    let span = (x_range.1 - x_range.0).max(f64::MIN_POSITIVE);
    let column_of = |x: f64| {
        ((((x - x_range.0) / span) * columns as f64).floor() as i64).min(columns as i64 - 1)
    };
    let mut out = Vec::with_capacity(2 * columns + 2);
    let mut start = 0;
    while start < points.len() {
        let column = column_of(points[start].0);
        let mut end = start + 1;
        while end < points.len() && column_of(points[end].0) == column {
            end += 1;
        }
        let bucket = &points[start..end];
        let (mut low, mut high) = (0, 0);
        for (i, p) in bucket.iter().enumerate() {
            if p.1 < bucket[low].1 {
                low = i;
            }
            if p.1 > bucket[high].1 {
                high = i;
            }
        }
        out.push(bucket[low.min(high)]);
        if low != high {
            out.push(bucket[low.max(high)]);
        }
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(classify(100.0, Scale::Log), Point::At(2.0));
        assert_eq!(classify(-0.01, Scale::Log), Point::At(-2.0));
        assert_eq!(classify(0.0, Scale::Log), Point::Marked(Mark::Zero));
        assert_eq!(classify(0.0, Scale::Linear), Point::At(0.0));
        assert_eq!(
            classify(f64::NEG_INFINITY, Scale::Linear),
            Point::Marked(Mark::Inf)
        );
        assert_eq!(classify(f64::NAN, Scale::Log), Point::Marked(Mark::Nan));
    }

    #[test]
    fn runs_and_their_descriptions() {
        let inf = f64::INFINITY;
        let v = [1.0, 2.0, inf, inf, inf];
        let r = runs(&v, 0, Scale::Log);
        assert_eq!(
            r,
            vec![Run {
                mark: Mark::Inf,
                first: 2,
                last: 4
            }]
        );
        assert_eq!(
            describe(&r, Mark::Inf, 4).as_deref(),
            Some("inf from layer 2")
        );
        assert_eq!(describe(&r, Mark::Nan, 4), None);

        let v = [0.0, 0.0, 1.0, 2.0];
        let r = runs(&v, 1, Scale::Log);
        assert_eq!(
            describe(&r, Mark::Zero, 4).as_deref(),
            Some("0 at layers 1–2")
        );
        assert!(runs(&v, 1, Scale::Linear).is_empty());

        let v = [0.0, 1.0, 0.0, 0.0];
        let r = runs(&v, 3, Scale::Log);
        assert_eq!(
            describe(&r, Mark::Zero, 6).as_deref(),
            Some("0 at 3 layers from 3")
        );
    }

    #[test]
    fn segments_split_at_marks_and_at_the_range() {
        let v = [1.0, 10.0, f64::INFINITY, 100.0, 1000.0];
        let s = segments(&v, 0, Scale::Log, (-5.0, 2.5));
        assert_eq!(s.len(), 2);
        assert_eq!(s[0], vec![(0.0, 0.0), (1.0, 1.0)]);
        // 100 is inside; the line to 1000 is cut where it crosses 10^2.5.
        assert_eq!(s[1][0], (3.0, 2.0));
        assert_eq!(s[1][1], (3.5, 2.5));

        // Coming back into range from above starts at the crossing too.
        let v = [1000.0, 100.0];
        let s = segments(&v, 0, Scale::Log, (-5.0, 2.5));
        assert_eq!(s, vec![vec![(0.5, 2.5), (1.0, 2.0)]]);

        // A value far outside the range never becomes a point.
        let v = [1.0, 1e300];
        let s = segments(&v, 0, Scale::Linear, (0.0, 2.0));
        assert!(s[0].iter().all(|p| p.1 <= 2.0));
    }

    #[test]
    fn decimation_keeps_each_columns_extremes() {
        let points: Vec<(f64, f64)> = (0..10_000)
            .map(|i| (i as f64, ((i * 7919) % 1000) as f64))
            .collect();
        let d = decimate(&points, (0.0, 9999.0), 100);
        assert!(d.len() <= 200);
        // Every column's max survives, so the global max does.
        let max = d.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        assert_eq!(max, 999.0);
        assert!(d.windows(2).all(|w| w[0].0 < w[1].0), "order kept");
        // Short curves are left alone.
        assert_eq!(decimate(&points[..50], (0.0, 49.0), 100).len(), 50);
    }
}
