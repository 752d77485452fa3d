// Small browser helpers the console calls through JS interop.
const centreActiveStep = (nav) => {
    const step = nav.querySelector('.mud-step.active');
    if (!step) return;
    const n = nav.getBoundingClientRect(), s = step.getBoundingClientRect();
    nav.scrollLeft += (s.left + s.width / 2) - (n.left + n.width / 2);
};
// A phone turned sideways, or a window made narrower, keeps the active step in view.
window.addEventListener('resize', () => document.querySelectorAll('.mud-stepper-nav-scrollable').forEach(centreActiveStep));
window.pgclone = {
    // The theme choice outlives the circuit: the server reads this cookie when it prerenders the next page.
    setTheme: (mode) => { document.cookie = `PgClone.Theme=${mode}; path=/; max-age=31536000; samesite=lax`; },
    // Centres a stepper's active step in its sideways-scrolling header, without scrolling the page itself.
    showActiveStep: (id) => { const nav = document.querySelector(`#${id} .mud-stepper-nav`); if (nav) centreActiveStep(nav); },
};
