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

/// The mark of `v` on an axis with `scale`, or `None` if `v` has a place on the axis.
pub fn mark(v: f64, scale: Scale) -> Option<Mark> {
    if v.is_nan() {
        Some(Mark::Nan)
    } else if v.is_infinite() {
        Some(Mark::Inf)
    } else if scale == Scale::Log && v == 0.0 {
        Some(Mark::Zero)
    } else {
        None
    }
}

/// The axis coordinate of a magnitude `m = |v|` that has a place on the axis.
pub fn axis_value(m: f64, scale: Scale) -> f64 {
    match scale {
        Scale::Log => m.log10(),
        Scale::Linear => m,
    }
}

/// The lowest and highest axis coordinates of the values that have a place on the axis.
/// Compares magnitudes and takes logarithms of the two extremes only.
pub fn extent(values: &[f64], scale: Scale) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in values {
        if mark(v, scale).is_none() {
            let m = v.abs();
            lo = lo.min(m);
            hi = hi.max(m);
        }
    }
    (lo <= hi).then(|| (axis_value(lo, scale), axis_value(hi, scale)))
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

/// The runs of marked values in `values`, whose element `i` is at position
/// `first_layer + i·stride` (a layer, or a recorded step).
pub fn runs(values: &[f64], first_layer: usize, stride: usize, scale: Scale) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for (i, &v) in values.iter().enumerate() {
        let layer = first_layer + i * stride;
        if let Some(mark) = mark(v, scale) {
            match out.last_mut() {
                Some(run) if run.mark == mark && run.last + stride == layer => run.last = layer,
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
/// `last_layer` is the last position of the curve and `x` what a position is called
/// (`layer`, `step`). Returns `None` if there is no such run.
pub fn describe(runs: &[Run], mark: Mark, last_layer: usize, x: &str) -> Option<String> {
    let mine: Vec<&Run> = runs.iter().filter(|r| r.mark == mark).collect();
    let name = mark.name();
    match mine.as_slice() {
        [] => None,
        [r] if r.first == r.last => Some(format!("{name} at {x} {}", r.first)),
        [r] if r.last == last_layer => Some(format!("{name} from {x} {}", r.first)),
        [r] => Some(format!("{name} at {x}s {}–{}", r.first, r.last)),
        many => {
            let count: usize = many.iter().map(|r| r.last - r.first + 1).sum();
            Some(format!("{name} at {count} {x}s from {}", many[0].first))
        }
    }
}

/// The drawable pieces of a curve: maximal stretches of consecutive layers whose values
/// have a place on the axis and lie in `[lo, hi]`, as `(layer, axis coordinate)` pairs.
/// Each stretch is reduced to its lowest and highest point in each pixel column (`x_range`
/// is the axis range and `columns` the plot width in pixels; the line looks the same), then
/// cut where it crosses the border of the range, so nothing is drawn pinned to the edge.
///
/// This runs on every redraw over up to 10,001 values per curve, so it is one pass that
/// compares magnitudes and takes logarithms only of the points it keeps.
pub fn segments(
    values: &[f64],
    (first_layer, stride): (usize, usize),
    scale: Scale,
    (lo, hi): (f64, f64),
    x_range: (f64, f64),
    columns: usize,
) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut stretch: Vec<(f64, f64)> = Vec::new();
    let mut column = Column::new(x_range, columns, values.len() > columns.max(1));
    let finish = |stretch: &mut Vec<(f64, f64)>, out: &mut Vec<Vec<(f64, f64)>>| {
        for p in stretch.iter_mut() {
            p.1 = axis_value(p.1, scale);
        }
        cut(stretch, lo, hi, out);
        stretch.clear();
    };
    for (j, &v) in values.iter().enumerate() {
        if mark(v, scale).is_some() {
            column.flush(&mut stretch);
            if !stretch.is_empty() {
                finish(&mut stretch, &mut out);
            }
            continue;
        }
        column.add(((first_layer + j * stride) as f64, v.abs()), &mut stretch);
    }
    column.flush(&mut stretch);
    if !stretch.is_empty() {
        finish(&mut stretch, &mut out);
    }
    out
}

/// The pixel column being filled while decimating: its right edge and its lowest and
/// highest points so far.
struct Column {
    origin: f64,
    width: f64,
    last: f64,
    on: bool,
    end: f64,
    low: Option<(f64, f64)>,
    high: (f64, f64),
}

impl Column {
    fn new(x_range: (f64, f64), columns: usize, on: bool) -> Column {
        let span = (x_range.1 - x_range.0).max(f64::MIN_POSITIVE);
        Column {
            origin: x_range.0,
            width: span / columns.max(1) as f64,
            last: (columns.max(1) - 1) as f64,
            on,
            end: f64::NEG_INFINITY,
            low: None,
            high: (0.0, 0.0),
        }
    }

    /// Adds a point, passing it straight through when not decimating.
    fn add(&mut self, p: (f64, f64), out: &mut Vec<(f64, f64)>) {
        if !self.on {
            out.push(p);
            return;
        }
        if p.0 >= self.end {
            self.flush(out);
            // The right edge of the range belongs to the last column.
            let index = ((p.0 - self.origin) / self.width).floor().min(self.last);
            self.end = if index >= self.last {
                f64::INFINITY
            } else {
                self.origin + (index + 1.0) * self.width
            };
        }
        match self.low {
            None => {
                self.low = Some(p);
                self.high = p;
            }
            Some(low) => {
                if p.1 < low.1 {
                    self.low = Some(p);
                }
                if p.1 > self.high.1 {
                    self.high = p;
                }
            }
        }
    }

    /// Emits the column's lowest and highest points, in layer order.
    fn flush(&mut self, out: &mut Vec<(f64, f64)>) {
        if let Some(low) = self.low.take() {
            let high = self.high;
            if low.0 == high.0 {
                out.push(low);
            } else if low.0 < high.0 {
                out.extend([low, high]);
            } else {
                out.extend([high, low]);
            }
        }
        self.end = f64::NEG_INFINITY;
    }
}

/// Splits a stretch of points into the pieces inside `[lo, hi]`, ending and starting each
/// piece where the line crosses the border.
fn cut(points: &[(f64, f64)], lo: f64, hi: f64, out: &mut Vec<Vec<(f64, f64)>>) {
    let inside = |p: (f64, f64)| (lo..=hi).contains(&p.1);
    let mut current: Vec<(f64, f64)> = Vec::new();
    for (i, &p) in points.iter().enumerate() {
        let previous = i.checked_sub(1).map(|j| points[j]);
        if inside(p) {
            if current.is_empty() {
                if let Some(q) = previous {
                    current.push(crossing(q, p, lo, hi));
                }
            }
            current.push(p);
        } else if let (Some(q), false) = (previous, current.is_empty()) {
            current.push(crossing(q, p, lo, hi));
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
}

/// Where the line from `a` to `b` crosses `lo` or `hi`, whichever lies between them.
fn crossing(a: (f64, f64), b: (f64, f64), lo: f64, hi: f64) -> (f64, f64) {
    let border = if a.1.max(b.1) > hi { hi } else { lo };
    let t = (border - a.1) / (b.1 - a.1);
    (a.0 + t * (b.0 - a.0), border)
}

/// Drops the points of a polyline that lie within `tolerance` of the line through their
/// neighbours (Ramer–Douglas–Peucker), so that an exponential, a straight line on a log
/// axis, costs a handful of points instead of thousands. `tolerance` is `(x, y)` in data
/// units, usually a fraction of a pixel each; the first and last points are always kept.
pub fn simplify(points: &[(f64, f64)], tolerance: (f64, f64)) -> Vec<(f64, f64)> {
    if points.len() <= 2 {
        return points.to_vec();
    }
    // Work in units of the tolerance, where "close enough" means a distance below 1.
    let (tx, ty) = (
        tolerance.0.max(f64::MIN_POSITIVE),
        tolerance.1.max(f64::MIN_POSITIVE),
    );
    let scaled = |p: (f64, f64)| (p.0 / tx, p.1 / ty);
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut stack = vec![(0, points.len() - 1)];
    while let Some((first, last)) = stack.pop() {
        let (a, b) = (scaled(points[first]), scaled(points[last]));
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let length = (dx * dx + dy * dy).sqrt();
        let mut farthest = (0.0, first);
        for (i, &p) in points.iter().enumerate().take(last).skip(first + 1) {
            let p = scaled(p);
            let d = if length > 0.0 {
                ((p.0 - a.0) * dy - (p.1 - a.1) * dx).abs() / length
            } else {
                ((p.0 - a.0).powi(2) + (p.1 - a.1).powi(2)).sqrt()
            };
            if d > farthest.0 {
                farthest = (d, i);
            }
        }
        if farthest.0 > 1.0 {
            keep[farthest.1] = true;
            stack.push((first, farthest.1));
            stack.push((farthest.1, last));
        }
    }
    points
        .iter()
        .zip(keep)
        .filter_map(|(&p, k)| k.then_some(p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(mark(100.0, Scale::Log), None);
        assert_eq!(axis_value(100.0, Scale::Log), 2.0);
        assert_eq!(axis_value(0.01, Scale::Log), -2.0);
        assert_eq!(mark(0.0, Scale::Log), Some(Mark::Zero));
        assert_eq!(mark(0.0, Scale::Linear), None);
        assert_eq!(mark(f64::NEG_INFINITY, Scale::Linear), Some(Mark::Inf));
        assert_eq!(mark(f64::NAN, Scale::Log), Some(Mark::Nan));
        assert_eq!(
            extent(&[0.0, -10.0, f64::INFINITY, 0.1], Scale::Log),
            Some((-1.0, 1.0))
        );
    }

    #[test]
    fn runs_and_their_descriptions() {
        let inf = f64::INFINITY;
        let v = [1.0, 2.0, inf, inf, inf];
        let r = runs(&v, 0, 1, Scale::Log);
        assert_eq!(
            r,
            vec![Run {
                mark: Mark::Inf,
                first: 2,
                last: 4
            }]
        );
        assert_eq!(
            describe(&r, Mark::Inf, 4, "layer").as_deref(),
            Some("inf from layer 2")
        );
        assert_eq!(describe(&r, Mark::Nan, 4, "layer"), None);

        let v = [0.0, 0.0, 1.0, 2.0];
        let r = runs(&v, 1, 1, Scale::Log);
        assert_eq!(
            describe(&r, Mark::Zero, 4, "layer").as_deref(),
            Some("0 at layers 1–2")
        );
        assert!(runs(&v, 1, 1, Scale::Linear).is_empty());

        let v = [0.0, 1.0, 0.0, 0.0];
        let r = runs(&v, 3, 1, Scale::Log);
        assert_eq!(
            describe(&r, Mark::Zero, 6, "layer").as_deref(),
            Some("0 at 3 layers from 3")
        );
    }

    #[test]
    fn segments_split_at_marks_and_at_the_range() {
        let v = [1.0, 10.0, f64::INFINITY, 100.0, 1000.0];
        let all = (0.0, 1e6);
        let s = segments(&v, (0, 1), Scale::Log, (-5.0, 2.5), all, 1_000_000);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0], vec![(0.0, 0.0), (1.0, 1.0)]);
        // 100 is inside; the line to 1000 is cut where it crosses 10^2.5.
        assert_eq!(s[1][0], (3.0, 2.0));
        assert_eq!(s[1][1], (3.5, 2.5));

        // Coming back into range from above starts at the crossing too.
        let v = [1000.0, 100.0];
        let s = segments(&v, (0, 1), Scale::Log, (-5.0, 2.5), all, 1_000_000);
        assert_eq!(s, vec![vec![(0.5, 2.5), (1.0, 2.0)]]);

        // A value far outside the range never becomes a point.
        let v = [1.0, 1e300];
        let s = segments(&v, (0, 1), Scale::Linear, (0.0, 2.0), all, 1_000_000);
        assert!(s[0].iter().all(|p| p.1 <= 2.0));

        // Long stretches are decimated before the logarithm is taken.
        let v: Vec<f64> = (0..10_000).map(|i| 0.5f64.powi(i % 7)).collect();
        let s = segments(&v, (0, 1), Scale::Log, (-10.0, 1.0), (0.0, 9999.0), 100);
        assert!(s[0].len() <= 200);
        assert!(s[0]
            .iter()
            .any(|p| (p.1 - 0.5f64.powi(6).log10()).abs() < 1e-12));
    }

    #[test]
    fn simplification_keeps_the_shape_within_tolerance() {
        // A straight line collapses to its ends.
        let line: Vec<(f64, f64)> = (0..1000).map(|i| (i as f64, -0.3 * i as f64)).collect();
        assert_eq!(
            simplify(&line, (0.1, 0.1)),
            vec![(0.0, 0.0), (999.0, -299.7)]
        );
        // A kink survives; every dropped point lies within tolerance of the result.
        let kinked: Vec<(f64, f64)> = (0..100)
            .map(|i| (i as f64, if i < 50 { 0.0 } else { (i - 50) as f64 }))
            .collect();
        let s = simplify(&kinked, (0.5, 0.5));
        assert_eq!(s, vec![(0.0, 0.0), (50.0, 0.0), (99.0, 49.0)]);
        // A sawtooth far above tolerance keeps every point.
        let saw: Vec<(f64, f64)> = (0..20).map(|i| (i as f64, (i % 2) as f64 * 10.0)).collect();
        assert_eq!(simplify(&saw, (0.1, 0.1)).len(), 20);
    }

    #[test]
    fn decimation_keeps_each_columns_extremes() {
        let values: Vec<f64> = (0..10_000)
            .map(|i| 1.0 + ((i * 7919) % 1000) as f64)
            .collect();
        let s = segments(
            &values,
            (0, 1),
            Scale::Linear,
            (0.0, 2000.0),
            (0.0, 9999.0),
            100,
        );
        assert_eq!(s.len(), 1);
        let d = &s[0];
        assert!(d.len() <= 200);
        // Every column's extremes survive, so the global ones do.
        let max = d.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        let min = d.iter().map(|p| p.1).fold(f64::MAX, f64::min);
        assert_eq!((min, max), (1.0, 1000.0));
        assert!(d.windows(2).all(|w| w[0].0 < w[1].0), "order kept");
        // Short curves are left alone.
        let s = segments(
            &values[..50],
            (0, 1),
            Scale::Linear,
            (0.0, 2000.0),
            (0.0, 49.0),
            100,
        );
        assert_eq!(s[0].len(), 50);
    }
}
