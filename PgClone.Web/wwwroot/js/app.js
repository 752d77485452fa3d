// Small browser helpers the console calls through JS interop.
window.pgclone = {
    // The theme choice outlives the circuit: the server reads this cookie when it prerenders the next page.
    setTheme: (mode) => { document.cookie = `PgClone.Theme=${mode}; path=/; max-age=31536000; samesite=lax`; },
};
