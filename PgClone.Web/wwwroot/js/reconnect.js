// The .NET 9 blazor.web.js marks a circuit the server no longer knows with "components-reconnect-rejected"
// and does nothing else; a reload starts a fresh circuit (see ../shared/ENVIRONMENT.md).
(() => {
    const modal = document.getElementById('components-reconnect-modal');
    if (!modal) return;
    new MutationObserver(() => {
        if (modal.classList.contains('components-reconnect-rejected')) location.reload();
    }).observe(modal, { attributes: true, attributeFilter: ['class'] });
})();
