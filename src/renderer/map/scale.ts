// The map's scale bar, drawn again a few times a second while the map moves rather than on every frame: each
// drawing is a change to the page (style, layout, paint) on top of the map's own frame.
import { ScaleControl } from 'maplibre-gl';

const REDRAW_MS = 250;

export class CalmScaleControl extends ScaleControl {
  constructor(options: ConstructorParameters<typeof ScaleControl>[0]) {
    super(options);
    // maplibre listens with this field (on add, and off on remove), so replacing it here throttles its drawing.
    const draw = this._onMove;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let drawnAt = -Infinity;
    this._onMove = (): void => {
      if (timer) return;
      timer = setTimeout(
        () => {
          timer = null;
          drawnAt = performance.now();
          // A control removed meanwhile has no map left to measure.
          if (this._map) draw();
        },
        Math.max(0, REDRAW_MS - (performance.now() - drawnAt)),
      );
    };
  }
}
